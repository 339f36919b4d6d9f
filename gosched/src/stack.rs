//! Goroutine stacks: reserved large, committed lazily by the kernel, a guard
//! page below each, recycled through a pool (Go's `runtime/stack.go:
//! stackalloc/stackfree` and `stackpool`, Go 1.27 — Go grows stacks by
//! copying; Rust code cannot be moved, so we reserve the limit up front and
//! let the kernel commit pages on first touch).
//!
//! Stacks are carved out of slabs: one `mmap(MAP_NORESERVE)` holds
//! 64 slots (1 024 when they have no guard pages of their own) laid out as
//!
//! ```text
//!  low addresses                                              high addresses
//!  +-------+----------------------+-------+----------------------+----
//!  | guard |  stack 0 (size)  <-- | guard |  stack 1 (size)  <-- | ...
//!  +-------+----------------------+-------+----------------------+----
//!   PROT_NONE   grows down from the   PROT_NONE
//!               top of its slot
//! ```
//!
//! so a parked goroutine costs the few pages its frames touched. Every
//! goroutine writes its stack's top page first, so a new slab commits its
//! slots' top pages in one system call where the kernel allows it
//! ([`prefault`]) rather than one page fault at a time. The slab
//! table (`SLABS`) is what the SIGSEGV handler reads to tell a goroutine
//! stack overflow from any other fault, and what the canary checks read to
//! find a slot's neighbours.
//!
//! # Guards
//! A guard page below each stack turns an overflow into a fault the
//! SIGSEGV handler (`signal.rs`) reports. Where Linux has lightweight guard
//! regions (`MADV_GUARD_INSTALL`, Linux 6.13+) every stack gets one: they
//! live in the page tables and cost no mapping. Elsewhere a guard is an
//! `mprotect`ed page, which splits the mapping, and Linux caps mappings per
//! process (`vm.max_map_count`, 65 530 by default), so those are budgeted
//! ([`guard_budget`]): past it, new slabs come with one guard page below
//! all their slots, and each stack relies on canaries instead.
//!
//! What counts is mappings, not stacks: an `mprotect`ed guard splits its
//! slab's mapping, so costs two; an unguarded slab costs two in all (its
//! mapping and its own guard page), whatever its size. The budget spends a
//! quarter of the cap on per-stack guards (8 191 stacks by default) and
//! unguarded slabs hold 1 024 stacks, so a million live goroutines take
//! about 18 000 mappings: under the default cap with room for the
//! allocator, threads and libraries. The limits: the slab table's 32 768
//! slabs (two million stacks with lightweight guards, more without), and
//! address space (a million 256 KiB stacks reserve 256 GiB, committed only
//! as touched).
//!
//! # Canaries
//! The top [`CANARY_BYTES`] of every slot, above the coroutine's first
//! frame and so in a page every stack that ran has committed anyway, hold
//! a random per-process value and the id of the goroutine on the stack
//! while one runs there (zero while the stack is free). An unguarded stack
//! that overflows runs down into the top of the slot below it: that
//! neighbour's canary is the first thing it overwrites. Two checks catch
//! it: when the overflowing goroutine switches out, its neighbour's canary
//! must hold one of the two values a canary can hold (else the goroutine
//! just overflowed); and before any goroutine on an unguarded stack is
//! resumed its own canary must be intact (else a goroutine above it
//! overflowed into it, even with zeros, and it must not run on clobbered
//! frames). Either way the overflowing goroutine is reported, named by the
//! nearest intact canary above the clobbered one. An overflow that skips
//! the canary's 16 bytes without writing them (a large frame left
//! uninitialised) can still clobber the neighbour unseen until it faults.

use std::io;
use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use corosensei::stack::valgrind::ValgrindStackRegistration;
use corosensei::stack::{Stack, StackPointer};

/// Default usable stack size of a goroutine: 256 KiB reserved, of which
/// only the touched pages are ever committed. (Go starts at 2 KiB and grows
/// by copying, up to 1 GB; Rust frames cannot move.)
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

/// Slots per slab of stacks with guard pages of their own.
const SLAB_STACKS: usize = 64;
/// Slots per slab of canary-checked stacks: one mapping and one guard page
/// however many, so many.
const UNGUARDED_SLAB_STACKS: usize = 1024;
/// Capacity of the slab table the signal handler scans.
const MAX_SLABS: usize = 1 << 15;
/// Bytes at the top of each slot kept for its canary: the process's canary
/// value and the id of the goroutine running on the stack.
pub(crate) const CANARY_BYTES: usize = 16;
/// Linux 6.13's `madvise` advice for a lightweight guard region (not in the
/// `libc` crate yet).
const MADV_GUARD_INSTALL: libc::c_int = 102;

pub(crate) fn page_size() -> usize {
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: sysconf has no preconditions.
            let p = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
            PAGE.store(p, Ordering::Relaxed);
            p
        }
        p => p,
    }
}

/// One registered slab: `[base, base + stride * slots)`, `guard` bytes
/// of guard at the bottom of each `stride`-byte slot (0: unguarded). An
/// unguarded slab has one guard page of its own just below `base`, at
/// `low` (0: none), so an overflow that runs through its slots still faults
/// there instead of into an unrelated mapping.
struct SlabEntry {
    base: AtomicUsize,
    stride: AtomicUsize,
    slots: AtomicUsize,
    guard: AtomicUsize,
    low: AtomicUsize,
}

#[allow(clippy::declare_interior_mutable_const)] // array initialiser only
const EMPTY_SLAB: SlabEntry = SlabEntry {
    base: AtomicUsize::new(0),
    stride: AtomicUsize::new(0),
    slots: AtomicUsize::new(0),
    guard: AtomicUsize::new(0),
    low: AtomicUsize::new(0),
};
static SLABS: [SlabEntry; MAX_SLABS] = [EMPTY_SLAB; MAX_SLABS];
static NSLABS: AtomicUsize = AtomicUsize::new(0);
static GUARDED_LIVE: AtomicUsize = AtomicUsize::new(0);

/// How many stacks may have a guard page of their own: all of them with
/// lightweight guards, else an eighth of `vm.max_map_count` (each
/// `mprotect`ed guard costs two mappings: a quarter of the cap), leaving
/// the rest to unguarded slabs, the allocator, threads and libraries. `GOSCHED_GUARD_BUDGET=N` overrides it
/// (tests use 0 to exercise unguarded, canary-checked slabs).
pub(crate) fn guard_budget() -> usize {
    static BUDGET: AtomicUsize = AtomicUsize::new(usize::MAX);
    match BUDGET.load(Ordering::Relaxed) {
        usize::MAX => {
            let default = if light_guards() {
                usize::MAX - 1
            } else {
                let max = std::fs::read_to_string("/proc/sys/vm/max_map_count")
                    .ok()
                    .and_then(|s| s.trim().parse::<usize>().ok())
                    .unwrap_or(65_530);
                (max / 8).max(SLAB_STACKS)
            };
            let b = std::env::var("GOSCHED_GUARD_BUDGET")
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(default)
                .min(usize::MAX - 1);
            BUDGET.store(b, Ordering::Relaxed);
            b
        }
        b => b,
    }
}

/// Whether the kernel has lightweight guard regions (Linux 6.13+), probed
/// once on a scratch page. `GOSCHED_LIGHT_GUARDS=0` says no, to run the
/// path older kernels take.
fn light_guards() -> bool {
    static STATE: AtomicUsize = AtomicUsize::new(0); // 0 unknown, 1 no, 2 yes
    match STATE.load(Ordering::Relaxed) {
        0 if std::env::var_os("GOSCHED_LIGHT_GUARDS").is_some_and(|v| v == "0") => {
            STATE.store(1, Ordering::Relaxed);
            false
        }
        0 => {
            let page = page_size();
            // SAFETY: a fresh private anonymous page, advised and unmapped
            // here and used for nothing else.
            let yes = unsafe {
                let p = libc::mmap(
                    ptr::null_mut(),
                    page,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                    -1,
                    0,
                );
                p != libc::MAP_FAILED && {
                    let ok = libc::madvise(p, page, MADV_GUARD_INSTALL) == 0;
                    libc::munmap(p, page);
                    ok
                }
            };
            STATE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
            yes
        }
        s => s == 2,
    }
}

/// If `addr` lies in the guard page of a goroutine stack, the stack's usable
/// size. Async-signal-safe (atomics only).
pub(crate) fn guard_hit(addr: usize) -> Option<usize> {
    let n = NSLABS.load(Ordering::Acquire).min(MAX_SLABS);
    for e in &SLABS[..n] {
        let base = e.base.load(Ordering::Acquire);
        let stride = e.stride.load(Ordering::Relaxed);
        let slots = e.slots.load(Ordering::Relaxed);
        let guard = e.guard.load(Ordering::Relaxed);
        let low = e.low.load(Ordering::Relaxed);
        if low != 0 && addr >= low && addr < low + page_size() {
            return Some(stride - guard);
        }
        if base == 0 || stride == 0 || addr < base || addr >= base + stride * slots {
            continue;
        }
        if guard != 0 && (addr - base) % stride < guard {
            return Some(stride - guard);
        }
    }
    None
}

/// Where a stack lies, and which slab's canaries watch it. `Copy` and
/// small, so a G keeps one for its overflow checks and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StackBounds {
    /// Lowest usable address (just above the guard page, if any).
    pub(crate) limit: usize,
    /// One past the highest address of the slot.
    pub(crate) top: usize,
    /// Index of its slab in `SLABS` when it has no guard page of its own
    /// and canaries watch it; [`GUARDED`] otherwise.
    canary_slab: u32,
}

/// [`StackBounds::canary_slab`] of a stack with a guard page of its own.
const GUARDED: u32 = u32::MAX;

impl Default for StackBounds {
    /// No stack yet: empty, and nothing for the canary checks to read.
    fn default() -> Self {
        StackBounds {
            limit: 0,
            top: 0,
            canary_slab: GUARDED,
        }
    }
}

/// The process's canary value: random, so an overflow cannot plausibly
/// write it by chance, and never zero, the value of a free slot.
fn canary_value() -> u64 {
    static VALUE: OnceLock<u64> = OnceLock::new();
    *VALUE.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(&VALUE as *const _ as usize);
        h.finish() | 1
    })
}

/// The canary words at the top of the slot ending at `top`.
///
/// # Safety
/// `top` is the top of a slot of a slab (slabs are never unmapped, and the
/// top page of a slot is never a guard page).
unsafe fn canary_words(top: usize) -> &'static [AtomicU64; 2] {
    // SAFETY: per the contract, `[top - CANARY_BYTES, top)` is mapped,
    // readable and writable for the life of the process; it is 16-byte
    // aligned (`top` is page-aligned); other threads only ever touch it
    // through these atomics.
    unsafe { &*((top - CANARY_BYTES) as *const [AtomicU64; 2]) }
}

impl StackBounds {
    /// Usable bytes (Go's stack limit, as its overflow report prints it).
    pub(crate) fn size(&self) -> usize {
        self.top - self.limit
    }

    /// Whether canaries watch this stack.
    pub(crate) fn unguarded(&self) -> bool {
        self.canary_slab != GUARDED
    }

    /// The slot tops of its slab: the top of the slot below this one (0
    /// when the slab's own guard page is below), the distance between
    /// slot tops, and the last slot's top.
    fn slab_tops(&self) -> (usize, usize, usize) {
        let e = &SLABS[self.canary_slab as usize];
        let base = e.base.load(Ordering::Acquire);
        let stride = e.stride.load(Ordering::Relaxed);
        let slots = e.slots.load(Ordering::Relaxed);
        let start = self.top - stride;
        let below = if start == base { 0 } else { start };
        (below, stride, base + stride * slots)
    }

    /// Marks the stack as in use by goroutine `goid`.
    pub(crate) fn arm(&self, goid: u64) {
        if self.unguarded() {
            // SAFETY: `top` is this slot's top.
            let w = unsafe { canary_words(self.top) };
            w[1].store(goid, Ordering::Relaxed);
            w[0].store(canary_value(), Ordering::Release);
        }
    }

    /// Marks the stack as free again.
    pub(crate) fn disarm(&self) {
        if self.unguarded() {
            // SAFETY: `top` is this slot's top.
            let w = unsafe { canary_words(self.top) };
            w[0].store(0, Ordering::Relaxed);
            w[1].store(0, Ordering::Relaxed);
        }
    }

    /// Whether this stack's own canary is intact: nothing above overflowed
    /// into it. True for guarded stacks.
    pub(crate) fn intact(&self) -> bool {
        // SAFETY: `top` is this slot's top.
        !self.unguarded()
            || unsafe { canary_words(self.top) }[0].load(Ordering::Acquire) == canary_value()
    }

    /// Whether the goroutine on this stack has overflowed into the slot
    /// below: that slot's canary holds neither of the values a canary can
    /// hold (in use or free). An overflow that wrote exactly zero there is
    /// caught by [`intact`](Self::intact) before that slot's goroutine runs.
    pub(crate) fn overflowed_below(&self) -> bool {
        if !self.unguarded() {
            return false;
        }
        let (below, _, _) = self.slab_tops();
        if below == 0 {
            return false;
        }
        // SAFETY: `below` is the top of the slot below, in the same slab.
        let v = unsafe { canary_words(below) }[0].load(Ordering::Acquire);
        v != 0 && v != canary_value()
    }

    /// The goroutine that overflowed into this (clobbered) stack: the one
    /// on the nearest slot above whose canary is intact. Async-signal-safe.
    pub(crate) fn culprit(&self) -> Option<u64> {
        if !self.unguarded() {
            return None;
        }
        let (_, stride, slab_top) = self.slab_tops();
        let mut top = self.top + stride;
        while top <= slab_top {
            // SAFETY: `top` is the top of a slot of this slab.
            let w = unsafe { canary_words(top) };
            if w[0].load(Ordering::Acquire) == canary_value() {
                return Some(w[1].load(Ordering::Relaxed));
            }
            top += stride;
        }
        None
    }
}

/// A goroutine stack from the pool.
pub(crate) struct PooledStack {
    bounds: StackBounds,
    /// Whether pages may be committed (it has run a goroutine since it was
    /// made or last scavenged).
    pub(crate) committed: bool,
    /// Tells valgrind this range is a stack (never deregistered: slabs
    /// live forever).
    _valgrind: ManuallyDrop<ValgrindStackRegistration>,
}

impl std::fmt::Debug for PooledStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PooledStack")
            .field("limit", &format_args!("{:#x}", self.bounds.limit))
            .field("top", &format_args!("{:#x}", self.bounds.top))
            .field("unguarded", &self.bounds.unguarded())
            .finish()
    }
}

// SAFETY: a PooledStack is an address range; handing it to another thread
// hands over exclusive use of that memory.
unsafe impl Send for PooledStack {}

impl PooledStack {
    pub(crate) fn size(&self) -> usize {
        self.bounds.size()
    }

    pub(crate) fn bounds(&self) -> StackBounds {
        self.bounds
    }
}

// SAFETY: `limit` is the page-aligned start of a writable region owned by
// this value for as long as it lives (slabs are never unmapped), and the
// coroutine's base sits `CANARY_BYTES` below the page-aligned top, so both
// ends are 16-byte aligned and the range is a valid stack that leaves the
// canary words alone.
unsafe impl Stack for PooledStack {
    #[inline]
    fn base(&self) -> StackPointer {
        StackPointer::new(self.bounds.top - CANARY_BYTES).expect("stack top is non-null")
    }
    #[inline]
    fn limit(&self) -> StackPointer {
        StackPointer::new(self.bounds.limit).expect("stack limit is non-null")
    }
}

/// Free stacks, by size. Slabs are never returned to the OS (as Go keeps its
/// stack spans until the scavenger runs).
static POOL: Mutex<Vec<PooledStack>> = Mutex::new(Vec::new());

/// Takes a stack of exactly `size` usable bytes (a multiple of the page size)
/// from the pool, carving a new slab when none is free.
pub(crate) fn alloc(size: usize) -> io::Result<PooledStack> {
    {
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = pool.iter().rposition(|s| s.size() == size) {
            return Ok(pool.swap_remove(i));
        }
    }
    let mut fresh = new_slab(size)?;
    let first = fresh.pop().expect("a slab has stacks");
    POOL.lock().unwrap_or_else(|e| e.into_inner()).extend(fresh);
    Ok(first)
}

/// Pooled stacks kept with their pages; beyond this many, returned stacks
/// give their pages back to the kernel first, so a runtime that shuts down
/// after a burst of goroutines does not pin its peak RSS.
const KEEP_COMMITTED: usize = 4096;

/// Returns stacks to the pool.
pub(crate) fn free_many(stacks: impl IntoIterator<Item = PooledStack>) {
    let mut stacks: Vec<PooledStack> = stacks.into_iter().collect();
    let pooled = POOL.lock().unwrap_or_else(|e| e.into_inner()).len();
    let keep = KEEP_COMMITTED.saturating_sub(pooled).min(stacks.len());
    release(stacks[keep..].iter_mut().collect());
    POOL.lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(stacks);
}

/// What [`free_many`] would do to the pages of `stacks`, done in one pass
/// ahead of it: all but the ones the pool keeps committed give their pages
/// back, a run of neighbours at a time. Shutdown calls it before the dead Gs
/// drop one by one (each then returning a stack whose pages are gone), so a
/// runtime that ran a million goroutines ends in a few thousand `madvise`
/// calls instead of a million. Returns how many stacks gave pages back.
pub(crate) fn release_surplus(mut stacks: Vec<&mut PooledStack>) -> usize {
    let pooled = POOL.lock().unwrap_or_else(|e| e.into_inner()).len();
    let keep = KEEP_COMMITTED.saturating_sub(pooled).min(stacks.len());
    release(stacks.split_off(keep))
}

/// Gives the pages of free stacks back to the kernel (`MADV_DONTNEED`),
/// one call per run of neighbouring slots (Go's scavenger, too, releases
/// runs of free pages): stacks of goroutines that were spawned together
/// lie side by side, so a burst's stacks go back a slab at a time. Returns
/// how many stacks had pages to give back.
pub(crate) fn release(mut stacks: Vec<&mut PooledStack>) -> usize {
    stacks.retain(|s| s.committed);
    stacks.sort_unstable_by_key(|s| s.bounds.limit);
    let page = page_size();
    let mut i = 0;
    while i < stacks.len() {
        let start = stacks[i].bounds.limit;
        let mut end = stacks[i].bounds.top;
        let mut j = i + 1;
        // The next slot up, past at most its guard page (ours: a slot's
        // guard, or the guard below an unguarded slab mapped right here).
        while j < stacks.len() && stacks[j].bounds.limit - end <= page {
            end = stacks[j].bounds.top;
            j += 1;
        }
        // SAFETY: `[start, end)` covers free stacks of ours (nobody runs on
        // them: the caller owns them) and the guard pages between them;
        // MADV_DONTNEED on a private anonymous mapping drops the pages,
        // which read as zero afterwards (a free slot's canary), does
        // nothing to `mprotect`ed guards, and keeps lightweight guard
        // regions.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
        i = j;
    }
    for s in &mut stacks {
        s.committed = false;
    }
    stacks.len()
}

/// Rounds a requested stack size to whole pages (at least 4 pages).
pub(crate) fn round_size(bytes: usize) -> usize {
    let page = page_size();
    bytes.max(4 * page).div_ceil(page) * page
}

/// `PIDFD_SELF_THREAD_GROUP` (Linux 6.14): `process_madvise` on this
/// process, with no pidfd to open, keep, or carry stale across a `fork`.
const PIDFD_SELF: libc::c_int = -10001;

/// `process_madvise(PIDFD_SELF, ranges, advice)`: one system call for
/// `[at, at + len)` of every `at` of `starts` (a slab's 64, or 1 024, far
/// below `IOV_MAX`). Returns the bytes advised, or a negative value where
/// the kernel lacks the call, `PIDFD_SELF` (6.14) or the advice; the
/// kernel may also stop part way.
///
/// # Safety
/// Every range is page-aligned, inside a mapping of ours, unused, and fit
/// for `advice`.
unsafe fn advise_all(
    starts: impl Iterator<Item = usize>,
    len: usize,
    advice: libc::c_int,
) -> libc::c_long {
    let ranges: Vec<libc::iovec> = starts
        .map(|at| libc::iovec {
            iov_base: at as *mut libc::c_void,
            iov_len: len,
        })
        .collect();
    // SAFETY: `ranges` is a live array of `ranges.len()` iovecs, which the
    // kernel only reads; each range is one the caller vouches for.
    unsafe {
        libc::syscall(
            libc::SYS_process_madvise,
            PIDFD_SELF,
            ranges.as_ptr(),
            ranges.len(),
            advice,
            0,
        )
    }
}

/// Makes `[at, at + len)` a guard region for every `at` of `starts`, as
/// [`install_guard`] does one. Where the kernel takes lightweight guards
/// through `process_madvise` (Linux 6.14+) they all go in one system call
/// (a slab's 64 guards in one, where a burst of spawns would otherwise
/// make a call per goroutine); else one call each.
///
/// # Safety
/// As [`install_guard`], for every range.
unsafe fn install_guards(starts: impl Iterator<Item = usize> + Clone, len: usize) -> bool {
    if light_guards() {
        let want = (len * starts.clone().count()) as libc::c_long;
        // SAFETY: the caller's contract; a failed or partial call leaves
        // the rest to the loop below.
        if unsafe { advise_all(starts.clone(), len, MADV_GUARD_INSTALL) } == want {
            return true;
        }
    }
    // SAFETY: the caller's contract, range by range (a range guarded
    // already by a partial call above is guarded again, which is allowed).
    starts
        .into_iter()
        .all(|at| unsafe { install_guard(at, len) })
}

/// `MADV_POPULATE_WRITE` (Linux 5.14).
const MADV_POPULATE_WRITE: libc::c_int = 23;

/// Commits `[at, at + len)` for every `at` of `starts` in one system call,
/// as the first write to each would, one page fault each. A new slab's
/// stacks all run a goroutine soon after (a slab is carved only when the
/// pool is empty), and the first thing each does is write its top page,
/// which would otherwise cost a page fault per goroutine. Returns whether any
/// page may now be committed (if none, the pages fault in as they are
/// first written).
///
/// # Safety
/// Each range is page-aligned, inside a read-write mapping of ours, and
/// unused.
unsafe fn prefault(starts: impl Iterator<Item = usize>, len: usize) -> bool {
    // SAFETY: the caller's contract; populating writable anonymous pages
    // that hold nothing yet changes no value (they read as zero either way).
    unsafe { advise_all(starts, len, MADV_POPULATE_WRITE) > 0 }
}

/// Makes `[at, at + len)` a guard region: lightweight where the kernel has
/// them, else `mprotect`ed (which splits the mapping). Returns false when
/// neither worked.
///
/// # Safety
/// The range is page-aligned, inside a mapping of ours, and unused.
unsafe fn install_guard(at: usize, len: usize) -> bool {
    let p = at as *mut libc::c_void;
    // SAFETY: the caller's contract.
    unsafe {
        (light_guards() && libc::madvise(p, len, MADV_GUARD_INSTALL) == 0)
            || libc::mprotect(p, len, libc::PROT_NONE) == 0
    }
}

fn new_slab(size: usize) -> io::Result<Vec<PooledStack>> {
    let page = page_size();
    assert_eq!(size % page, 0, "stack size must be whole pages");
    let slot = NSLABS.fetch_add(1, Ordering::AcqRel);
    if slot >= MAX_SLABS {
        NSLABS.fetch_sub(1, Ordering::AcqRel);
        return Err(io::Error::other("too many goroutine stack slabs"));
    }
    let guarded = GUARDED_LIVE.load(Ordering::Relaxed) + SLAB_STACKS <= guard_budget();
    let guard = if guarded { page } else { 0 };
    let stride = size + guard;
    let slots = if guarded {
        SLAB_STACKS
    } else {
        UNGUARDED_SLAB_STACKS
    };
    // Unguarded slabs get one guard page of their own below the first slot.
    let lead = if guarded { 0 } else { page };
    let len = lead + stride * slots;
    // SAFETY: an anonymous private mapping at a kernel-chosen address has no
    // preconditions; MAP_NORESERVE keeps untouched pages uncommitted.
    let base = unsafe {
        libc::mmap(
            ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        NSLABS.fetch_sub(1, Ordering::AcqRel);
        return Err(io::Error::last_os_error());
    }
    let low = base as usize;
    // SAFETY: the first page of the mapping made above, unused so far.
    let low_guard = if lead != 0 && unsafe { install_guard(low, page) } {
        low
    } else {
        0
    };
    let base = low + lead;
    // With a guard below every slot, all of them, or none (out of mappings
    // after all: the slab is canary-checked instead).
    // SAFETY: each `[start, start + page)` lies inside the mapping made
    // above, which nothing else uses yet.
    let guarded = guarded && unsafe { install_guards((0..slots).map(|i| base + i * stride), page) };
    // SAFETY: each stack's top page lies inside the mapping made above,
    // which nothing else uses yet.
    let prefaulted = unsafe { prefault((0..slots).map(|i| base + (i + 1) * stride - page), page) };
    let canary_slab = if guarded {
        GUARDED
    } else {
        u32::try_from(slot).expect("MAX_SLABS fits in u32")
    };
    let mut out = Vec::with_capacity(slots);
    for i in (0..slots).rev() {
        let start = base + i * stride;
        let limit = start + guard;
        out.push(PooledStack {
            bounds: StackBounds {
                limit,
                top: start + stride,
                canary_slab,
            },
            committed: prefaulted,
            _valgrind: ManuallyDrop::new(ValgrindStackRegistration::new(limit as *mut u8, size)),
        });
    }
    if guarded {
        GUARDED_LIVE.fetch_add(SLAB_STACKS, Ordering::Relaxed);
    }
    let e = &SLABS[slot];
    e.stride.store(stride, Ordering::Relaxed);
    e.slots.store(slots, Ordering::Relaxed);
    // A slab laid out with guard pages keeps them in the table even if some
    // could not be installed: a fault there is still this slab's overflow.
    e.guard.store(guard, Ordering::Relaxed);
    e.low.store(low_guard, Ordering::Relaxed);
    e.base.store(base, Ordering::Release);
    Ok(out)
}
