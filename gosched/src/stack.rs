//! Goroutine stacks: reserved large, committed lazily by the kernel, a guard
//! page below each, recycled through a pool (Go's `runtime/stack.go:
//! stackalloc/stackfree` and `stackpool`, Go 1.27 — Go grows stacks by
//! copying; Rust code cannot be moved, so we reserve the limit up front and
//! let the kernel commit pages on first touch).
//!
//! Stacks are carved out of slabs: one `mmap(MAP_NORESERVE)` holds
//! `SLAB_STACKS` slots laid out as
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
//! so a parked goroutine costs the few pages its frames touched. Every guard
//! page splits the mapping, and Linux caps mappings per process
//! (`vm.max_map_count`, 65 530 by default), so guards are budgeted: past
//! [`guard_budget`] live guarded stacks, new slabs come with a single guard
//! page below all their slots, and each stack relies on a canary at its
//! limit, checked whenever the goroutine switches out (loud but after the
//! fact; an overflow that keeps going runs into the slab's guard). The canary is "the lowest 64
//! bytes are still zero": reading an untouched page maps the kernel's zero
//! page, which costs no resident memory, whereas writing a canary value
//! would commit a second page per stack. The slab table below is
//! what the SIGSEGV handler (`signal.rs`) reads to tell a goroutine stack
//! overflow from any other fault.

use std::io;
use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use corosensei::stack::valgrind::ValgrindStackRegistration;
use corosensei::stack::{Stack, StackPointer};

/// Slots per slab.
const SLAB_STACKS: usize = 64;
/// Capacity of the slab table the signal handler scans.
const MAX_SLABS: usize = 1 << 15;
/// Words at the bottom of an unguarded stack that must stay zero.
const CANARY_WORDS: usize = 8;

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

/// One registered slab: `[base, base + stride * SLAB_STACKS)`, `guard` bytes
/// of guard at the bottom of each `stride`-byte slot (0: unguarded). An
/// unguarded slab has one guard page of its own just below `base`, at
/// `low` (0: none), so an overflow that runs through its slots still faults
/// there instead of into an unrelated mapping.
struct SlabEntry {
    base: AtomicUsize,
    stride: AtomicUsize,
    guard: AtomicUsize,
    low: AtomicUsize,
}

#[allow(clippy::declare_interior_mutable_const)] // array initialiser only
const EMPTY_SLAB: SlabEntry = SlabEntry {
    base: AtomicUsize::new(0),
    stride: AtomicUsize::new(0),
    guard: AtomicUsize::new(0),
    low: AtomicUsize::new(0),
};
static SLABS: [SlabEntry; MAX_SLABS] = [EMPTY_SLAB; MAX_SLABS];
static NSLABS: AtomicUsize = AtomicUsize::new(0);
static GUARDED_LIVE: AtomicUsize = AtomicUsize::new(0);

/// How many guarded stacks may exist at once: a third of
/// `vm.max_map_count` (each guard costs two mappings), leaving the rest to
/// the allocator, threads and libraries. `GOSCHED_GUARD_BUDGET=N` overrides
/// it (tests use 0 to exercise unguarded slabs).
pub(crate) fn guard_budget() -> usize {
    static BUDGET: AtomicUsize = AtomicUsize::new(usize::MAX);
    match BUDGET.load(Ordering::Relaxed) {
        usize::MAX => {
            let max = std::fs::read_to_string("/proc/sys/vm/max_map_count")
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok())
                .unwrap_or(65_530);
            let b = std::env::var("GOSCHED_GUARD_BUDGET")
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or((max / 3).max(64))
                .min(usize::MAX - 1);
            BUDGET.store(b, Ordering::Relaxed);
            b
        }
        b => b,
    }
}

/// If `addr` lies in the guard page of a goroutine stack, the stack's usable
/// size. Async-signal-safe (atomics only).
pub(crate) fn guard_hit(addr: usize) -> Option<usize> {
    let n = NSLABS.load(Ordering::Acquire).min(MAX_SLABS);
    for e in &SLABS[..n] {
        let base = e.base.load(Ordering::Acquire);
        let stride = e.stride.load(Ordering::Relaxed);
        let guard = e.guard.load(Ordering::Relaxed);
        let low = e.low.load(Ordering::Relaxed);
        if low != 0 && addr >= low && addr < low + page_size() {
            return Some(stride - guard);
        }
        if base == 0 || stride == 0 || addr < base || addr >= base + stride * SLAB_STACKS {
            continue;
        }
        if guard != 0 && (addr - base) % stride < guard {
            return Some(stride - guard);
        }
    }
    None
}

/// A goroutine stack from the pool.
pub(crate) struct PooledStack {
    /// Lowest usable address (just above the guard page, if any).
    limit: usize,
    /// One past the highest address.
    top: usize,
    guarded: bool,
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
            .field("limit", &format_args!("{:#x}", self.limit))
            .field("top", &format_args!("{:#x}", self.top))
            .field("guarded", &self.guarded)
            .finish()
    }
}

// SAFETY: a PooledStack is an address range; handing it to another thread
// hands over exclusive use of that memory.
unsafe impl Send for PooledStack {}

impl PooledStack {
    pub(crate) fn size(&self) -> usize {
        self.top - self.limit
    }

    /// Where an unguarded stack keeps its canary (0: guarded).
    pub(crate) fn canary_at(&self) -> usize {
        if self.guarded { 0 } else { self.limit }
    }
}

// SAFETY: `top` is the page-aligned end and `limit` the page-aligned start
// of a writable region owned by this value for as long as it lives (slabs
// are never unmapped), so both are 16-byte aligned and the range is a valid
// stack.
unsafe impl Stack for PooledStack {
    #[inline]
    fn base(&self) -> StackPointer {
        StackPointer::new(self.top).expect("stack top is non-null")
    }
    #[inline]
    fn limit(&self) -> StackPointer {
        StackPointer::new(self.limit).expect("stack limit is non-null")
    }
}

/// Whether the canary at `at` (from [`PooledStack::canary_at`], non-zero)
/// is intact.
pub(crate) fn canary_ok(at: usize) -> bool {
    (0..CANARY_WORDS).all(|i| {
        // SAFETY: `at` is the page-aligned start of an unguarded stack's
        // writable slot (slabs are never unmapped); only an overflowing
        // goroutine ever writes these words.
        unsafe { ptr::read_volatile((at as *const u64).add(i)) == 0 }
    })
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

/// Pooled stacks kept with their pages; beyond this many, a returned stack
/// gives its pages back to the kernel first (Go's stack scavenging, done
/// eagerly), so a burst of goroutines does not pin its peak RSS forever.
const KEEP_COMMITTED: usize = 4096;

/// Returns stacks to the pool.
pub(crate) fn free_many(stacks: impl IntoIterator<Item = PooledStack>) {
    let mut stacks: Vec<PooledStack> = stacks.into_iter().collect();
    let pooled = POOL.lock().unwrap_or_else(|e| e.into_inner()).len();
    let keep = KEEP_COMMITTED.saturating_sub(pooled);
    for s in stacks.iter_mut().skip(keep) {
        if s.committed {
            // SAFETY: `[limit, top)` is this stack's writable range, owned by
            // us (no goroutine runs on a pooled stack); MADV_DONTNEED on a
            // private anonymous mapping just drops the pages, which read as
            // zero afterwards (the canary stays intact).
            unsafe {
                libc::madvise(
                    s.limit as *mut libc::c_void,
                    s.top - s.limit,
                    libc::MADV_DONTNEED,
                );
            }
            s.committed = false;
        }
    }
    POOL.lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(stacks);
}

/// Rounds a requested stack size to whole pages (at least 4 pages).
pub(crate) fn round_size(bytes: usize) -> usize {
    let page = page_size();
    bytes.max(4 * page).div_ceil(page) * page
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
    // Unguarded slabs get one guard page of their own below the first slot.
    let lead = if guarded { 0 } else { page };
    let len = lead + stride * SLAB_STACKS;
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
    let mut low_guard = 0;
    if lead != 0 {
        // SAFETY: the first page of the mapping made above, unused so far.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } == 0 {
            low_guard = low;
        }
    }
    let base = low + lead;
    let mut out = Vec::with_capacity(SLAB_STACKS);
    let mut guarded_here = true;
    for i in (0..SLAB_STACKS).rev() {
        let start = base + i * stride;
        if guarded {
            // SAFETY: `[start, start + page)` lies inside the mapping made
            // above, which nothing else uses yet.
            let rc = unsafe { libc::mprotect(start as *mut libc::c_void, page, libc::PROT_NONE) };
            if rc != 0 {
                // Out of mappings after all: the rest of the slab stays
                // unguarded (canary-checked), and so does the registry entry.
                guarded_here = false;
            }
        }
        let limit = start + guard;
        let is_guarded = guarded && guarded_here;
        out.push(PooledStack {
            limit,
            top: start + stride,
            guarded: is_guarded,
            committed: false,
            _valgrind: ManuallyDrop::new(ValgrindStackRegistration::new(limit as *mut u8, size)),
        });
    }
    if guarded && guarded_here {
        GUARDED_LIVE.fetch_add(SLAB_STACKS, Ordering::Relaxed);
    }
    let e = &SLABS[slot];
    e.stride.store(stride, Ordering::Relaxed);
    e.guard.store(
        if guarded && guarded_here { guard } else { 0 },
        Ordering::Relaxed,
    );
    e.low.store(low_guard, Ordering::Relaxed);
    e.base.store(base, Ordering::Release);
    Ok(out)
}
