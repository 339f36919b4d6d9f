//! The M's scheduling loop (`runtime/proc.go: mstart1, schedule,
//! findRunnable, execute, stealWork, stopm, park_m, goschedImpl, ready`,
//! Go 1.27).
//!
//! Protocol, per M:
//! 1. Hold a P (from `startm`'s `nextp`, or by taking an idle one).
//! 2. `find_runnable`: run due timers; every 61st tick take one G from the
//!    global queue first; else `runnext`/local queue; else the global queue;
//!    else, if allowed to spin, steal half of a random victim's queue (four
//!    rounds; the last may take the victim's `runnext`).
//! 3. Nothing found: give the P back, stop spinning, re-check every queue
//!    (see the spinning protocol in `sched.rs`), and sleep in `stopm` until
//!    a P is handed over or the earliest timer is due.
//! 4. `execute`: resume the G's coroutine until it switches back saying why
//!    (yield, park, exit, lost its P in a syscall) and act on that.
//!
//! Thread-local state: the M context lives in a thread-local pointer. Code
//! on a goroutine's stack reaches it only through [`with_m`], which is
//! `#[inline(never)]` so the compiler cannot keep an address computed before
//! a switch — after a switch the goroutine may be on another M.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use corosensei::{Coroutine, CoroutineResult};

use crate::g::{G, GStatus, Switch, TOKEN_EMPTY, TOKEN_PARKED};
use crate::sched::{GLOBAL_CHECK_TICKS, M, NO_P, P_RUNNING, Sched};
use crate::stack::{self, PooledStack};

/// Stacks an M keeps for reuse before returning them to the global pool.
const STACK_CACHE: usize = 32;

/// Per-M state, owned by the M's thread.
pub(crate) struct MCtx {
    pub(crate) sched: Arc<Sched>,
    pub(crate) m: Arc<M>,
    /// Index of the P held, or `NO_P`.
    pub(crate) p: Cell<usize>,
    pub(crate) spinning: Cell<bool>,
    /// The running G (kept alive by `execute`'s `Arc`).
    pub(crate) curg: Cell<*const G>,
    stacks: RefCell<Vec<PooledStack>>,
    rng: Cell<u64>,
}

thread_local! {
    static MCTX: Cell<*const MCtx> = const { Cell::new(std::ptr::null()) };
}

/// Runs `f` with the calling thread's M context, if it is an M.
///
/// Never inlined: callers on a goroutine stack must re-read the context
/// after every switch, and this keeps the compiler from caching the TLS
/// address across one.
#[inline(never)]
pub(crate) fn with_m<R>(f: impl FnOnce(&MCtx) -> R) -> Option<R> {
    let p = MCTX.with(Cell::get);
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-null MCTX points at the MCtx box owned by `m_main` on
    // this thread, which outlives every goroutine it runs and clears the
    // pointer before dropping the box.
    Some(f(unsafe { &*p }))
}

/// Runs `f` with the running goroutine, if the caller is one.
#[inline(never)]
pub(crate) fn with_g<R>(f: impl FnOnce(&G) -> R) -> Option<R> {
    let g = with_m(|m| m.curg.get())?;
    if g.is_null() {
        return None;
    }
    // SAFETY: `curg` is set by `execute` from an `Arc<G>` it holds until the
    // coroutine switches back; we are running on that goroutine (or on the
    // M between switches, when `curg` is null), so the G is alive for `f`
    // even if `f` switches out: a suspended G is held by `allgs`.
    Some(f(unsafe { &*g }))
}

/// The running goroutine as an `Arc`, if the caller is one.
pub(crate) fn current_g() -> Option<Arc<G>> {
    with_g(|g| {
        let ptr: *const G = g;
        // SAFETY: `g` is alive and came from an `Arc` (see `with_g`); bump
        // the count before making a second owner from the same pointer.
        unsafe {
            Arc::increment_strong_count(ptr);
            Arc::from_raw(ptr)
        }
    })
}

impl MCtx {
    fn p(&self) -> &crate::sched::P {
        &self.sched.ps[self.p.get()]
    }

    fn fastrand(&self) -> u64 {
        // xorshift64*
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn acquirep(&self, p: usize) {
        self.p.set(p);
        let pp = &self.sched.ps[p];
        pp.status.store(P_RUNNING, Ordering::Release);
        pp.m.store(self.m.id, Ordering::Release);
        self.m.p.store(p, Ordering::Relaxed);
    }

    fn releasep(&self) -> usize {
        let p = self.p.replace(NO_P);
        self.m.p.store(NO_P, Ordering::Relaxed);
        p
    }

    fn take_stack(&self) -> PooledStack {
        let size = self.sched.cfg.stack_size;
        if let Some(s) = self.stacks.borrow_mut().pop() {
            if s.size() == size {
                return s;
            }
            stack::free_many([s]);
        }
        stack::alloc(size).unwrap_or_else(|e| {
            crate::runtime::fatal(&format!("runtime: cannot allocate goroutine stack: {e}"))
        })
    }

    fn put_stack(&self, s: PooledStack) {
        let mut c = self.stacks.borrow_mut();
        c.push(s);
        if c.len() > STACK_CACHE {
            let half: Vec<_> = c.drain(..STACK_CACHE / 2).collect();
            drop(c);
            stack::free_many(half);
        }
    }

    /// `resetspinning`.
    fn reset_spinning(&self) {
        self.spinning.set(false);
        self.m.spinning.store(false, Ordering::Relaxed);
        let prev = self.sched.nmspinning.fetch_sub(1, Ordering::SeqCst);
        if prev == 1 {
            self.sched.wakep();
        }
    }

    fn become_spinning(&self) {
        self.spinning.set(true);
        self.m.spinning.store(true, Ordering::Relaxed);
    }
}

/// `mstart`: the body of every M thread.
pub(crate) fn m_main(sched: Arc<Sched>, m: Arc<M>) {
    crate::signal::ensure_altstack();
    let seed = m.id.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let ctx = Box::new(MCtx {
        sched,
        m,
        p: Cell::new(NO_P),
        spinning: Cell::new(false),
        curg: Cell::new(std::ptr::null()),
        stacks: RefCell::new(Vec::new()),
        rng: Cell::new(seed),
    });
    MCTX.with(|c| c.set(&*ctx));
    tracing::trace!(m = ctx.m.id, "M started");
    let first = ctx.m.nextp.swap(NO_P, Ordering::AcqRel);
    if first != NO_P {
        if ctx.m.start_spinning.load(Ordering::Relaxed) {
            ctx.become_spinning();
        }
        ctx.acquirep(first);
    }
    loop {
        if ctx.p.get() == NO_P {
            match stopm(&ctx) {
                Some(p) => ctx.acquirep(p),
                None => break,
            }
        }
        let Some((g, inherit)) = find_runnable(&ctx) else {
            continue;
        };
        if ctx.spinning.get() {
            ctx.reset_spinning();
        }
        execute(&ctx, g, inherit);
    }
    MCTX.with(|c| c.set(std::ptr::null()));
    stack::free_many(ctx.stacks.borrow_mut().drain(..));
    ctx.sched.mcount.fetch_sub(1, Ordering::SeqCst);
    tracing::trace!(m = ctx.m.id, "M exited");
}

/// `stopm`: sleep until handed a P. Returns `None` at shutdown.
fn stopm(ctx: &MCtx) -> Option<usize> {
    let sched = &ctx.sched;
    {
        let mut l = sched.lock();
        if sched.shutdown.load(Ordering::Acquire) {
            return None;
        }
        l.midle.push(Arc::clone(&ctx.m));
        sched.nmidle.fetch_add(1, Ordering::SeqCst);
    }
    loop {
        // Sleep towards the earliest timer only while a P is free to run it
        // (an M that releases a P re-checks the timers itself).
        let next = sched.timers.next_when();
        let timeout = (next != u64::MAX && sched.npidle.load(Ordering::SeqCst) > 0)
            .then(|| Duration::from_nanos(next.saturating_sub(sched.now())));
        ctx.m.sleep(timeout);
        let p = ctx.m.nextp.swap(NO_P, Ordering::AcqRel);
        if p != NO_P {
            if ctx.m.start_spinning.load(Ordering::Relaxed) {
                ctx.become_spinning();
            }
            return Some(p);
        }
        let mut l = sched.lock();
        // startm may have popped us and be about to set nextp.
        let Some(pos) = l.midle.iter().position(|m| Arc::ptr_eq(m, &ctx.m)) else {
            drop(l);
            loop {
                let p = ctx.m.nextp.swap(NO_P, Ordering::AcqRel);
                if p != NO_P {
                    if ctx.m.start_spinning.load(Ordering::Relaxed) {
                        ctx.become_spinning();
                    }
                    return Some(p);
                }
                if sched.shutdown.load(Ordering::Acquire) {
                    return None;
                }
                ctx.m.sleep(Some(Duration::from_millis(1)));
            }
        };
        if sched.shutdown.load(Ordering::Acquire) {
            l.midle.swap_remove(pos);
            sched.nmidle.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        // Woken for a timer (or spuriously): if one is due, run it on an
        // idle P.
        if sched.timers.next_when() <= sched.now() {
            if let Some(p) = sched.pidleget_locked(&mut l) {
                l.midle.swap_remove(pos);
                sched.nmidle.fetch_sub(1, Ordering::SeqCst);
                sched.ps[p].status.store(P_RUNNING, Ordering::Release);
                return Some(p);
            }
        }
    }
}

/// `findRunnable`: the next G to run, or `None` after giving up the P.
fn find_runnable(ctx: &MCtx) -> Option<(Arc<G>, bool)> {
    let sched = &ctx.sched;
    'top: loop {
        if sched.shutdown.load(Ordering::Acquire) {
            let p = ctx.releasep();
            let mut l = sched.lock();
            sched.pidleput_locked(&mut l, p);
            if ctx.spinning.get() {
                ctx.spinning.set(false);
                sched.nmspinning.fetch_sub(1, Ordering::SeqCst);
            }
            return None;
        }
        let pi = ctx.p.get();
        let pp = ctx.p();
        if sched.timers.next_when() != u64::MAX {
            sched.timers.run_due(sched.now(), &mut |p| {
                crate::runtime::timer_callback_panic(sched, p);
            });
        }

        // sysmon saw this time slice run over 10 ms: end it as Go's
        // preemption does (`gopreempt_m` puts the running G on the global
        // queue), by sending the G that would inherit it (the `runnext`
        // one) to the back of the global queue. Then look in the usual
        // order: the local queue comes first, so a pair of goroutines
        // handing the slice back and forth cannot win the P straight back
        // from an otherwise empty global queue (Go's TestPingPongHog).
        if pp.preempt.load(Ordering::Relaxed) && pp.preempt.swap(false, Ordering::AcqRel) {
            if let Some(g) = pp.runq.get_runnext() {
                sched.globrunqput(g);
            }
        }

        // Fairness: every 61st tick, one G from the global queue.
        if pp.schedtick.load(Ordering::Relaxed) % GLOBAL_CHECK_TICKS == 0
            && sched.globq_len.load(Ordering::SeqCst) > 0
        {
            if let Some(g) = sched.globrunqget(pi, 1) {
                return Some((g, false));
            }
        }
        if let Some(x) = pp.runq.get() {
            return Some(x);
        }
        if let Some(g) = sched.globrunqget(pi, 0) {
            return Some((g, false));
        }

        // Steal, if not too many Ms are spinning already.
        let busy = sched.cfg.gomaxprocs - sched.npidle.load(Ordering::SeqCst);
        if ctx.spinning.get() || 2 * sched.nmspinning.load(Ordering::SeqCst) < busy {
            if !ctx.spinning.get() {
                ctx.become_spinning();
                sched.nmspinning.fetch_add(1, Ordering::SeqCst);
            }
            if let Some(g) = steal_work(ctx) {
                return Some((g, false));
            }
        }

        // Give up: release the P, then look once more.
        {
            let mut l = sched.lock();
            if let Some(g) = sched.globrunqget_locked(&mut l, pi, 0) {
                return Some((g, false));
            }
            let p = ctx.releasep();
            sched.pidleput_locked(&mut l, p);
        }
        let was_spinning = ctx.spinning.get();
        if was_spinning {
            ctx.spinning.set(false);
            ctx.m.spinning.store(false, Ordering::Relaxed);
            sched.nmspinning.fetch_sub(1, Ordering::SeqCst);
        }
        let work = sched.globq_len.load(Ordering::SeqCst) > 0
            || sched.ps.iter().any(|p| !p.runq.is_empty())
            || sched.timers.next_when() <= sched.now();
        if work {
            let mut l = sched.lock();
            if let Some(p) = sched.pidleget_locked(&mut l) {
                drop(l);
                ctx.acquirep(p);
                if was_spinning {
                    ctx.become_spinning();
                    sched.nmspinning.fetch_add(1, Ordering::SeqCst);
                }
                continue 'top;
            }
        }
        return None;
    }
}

/// `stealWork`: four rounds over the other Ps in random order.
fn steal_work(ctx: &MCtx) -> Option<Arc<G>> {
    let sched = &ctx.sched;
    let n = sched.ps.len();
    let me = ctx.p.get();
    const STEAL_TRIES: usize = 4;
    for round in 0..STEAL_TRIES {
        let last = round == STEAL_TRIES - 1;
        let start = (ctx.fastrand() % n as u64) as usize;
        for k in 0..n {
            let v = (start + k) % n;
            if v == me {
                continue;
            }
            let victim = &sched.ps[v];
            if last && victim.status.load(Ordering::Acquire) == P_RUNNING {
                // Let the victim run its own runnext first (Go sleeps 3µs:
                // a channel hand-off takes ~50ns).
                std::thread::sleep(Duration::from_micros(3));
            }
            let mut batch = victim.runq.grab(last);
            if let Some(g) = batch.pop() {
                sched.counters.steals.fetch_add(1, Ordering::Relaxed);
                sched
                    .counters
                    .stolen_gs
                    .fetch_add(batch.len() as u64 + 1, Ordering::Relaxed);
                tracing::debug!(from = v, to = me, goroutines = batch.len() + 1, "steal");
                let pp = ctx.p();
                for other in batch {
                    if let Some(over) = pp.runq.put(other, false) {
                        sched.globrunqputbatch(over);
                    }
                }
                return Some(g);
            }
        }
        if sched.globq_len.load(Ordering::SeqCst) > 0 {
            if let Some(g) = sched.globrunqget(me, 0) {
                return Some(g);
            }
        }
    }
    None
}

/// `execute` + the switch-back handling of `park_m`, `goschedImpl`,
/// `goexit0` and `exitsyscall0`.
fn execute(ctx: &MCtx, g: Arc<G>, inherit: bool) {
    let sched = &ctx.sched;
    let mut inherit = inherit;
    loop {
        // A G readied just as its runtime shut down (an M past
        // find_runnable's check may still hold it) never runs again: it is
        // abandoned with its stack, as the blocked ones are.
        if sched.shutdown.load(Ordering::Acquire) {
            return;
        }
        let pp = ctx.p();
        if !inherit {
            bump(&pp.schedtick);
        }
        pp.runs
            .store(pp.runs.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        g.set_status(GStatus::Running);
        pp.curg.store(g.id, Ordering::Relaxed);
        pp.curg_site.store(
            std::ptr::from_ref(g.spawned_at).cast_mut(),
            Ordering::Relaxed,
        );
        g.m.store(ctx.m.id, Ordering::Relaxed);
        ctx.m.curg.store(g.id, Ordering::Relaxed);
        ctx.curg.set(Arc::as_ptr(&g));
        // SAFETY: we own `g`: it came out of a run queue (or we just
        // re-took it after a failed park commit).
        let slot = unsafe { g.coro_slot() };
        if slot.is_none() {
            // SAFETY: as above; the body is taken exactly once.
            let body = unsafe { g.take_body() }.expect("a new G has its body");
            let mut st = ctx.take_stack();
            st.committed = true;
            g.stack.set(st.bounds());
            st.bounds().arm(g.id);
            *slot = Some(Coroutine::with_stack(st, move |y, ()| {
                crate::runtime::goroutine_entry(y, body)
            }));
        } else if !g.stack.get().intact() {
            // A goroutine above overflowed into this stack: it must not run
            // on clobbered frames. Report the one that overflowed.
            let culprit = g.stack.get().culprit().and_then(|id| sched.find_g(id));
            crate::signal::overflow_exit(g.stack.get().size(), culprit.as_deref());
        }
        let coro = slot.as_mut().expect("coroutine present");
        let res = coro.resume(());
        ctx.curg.set(std::ptr::null());
        ctx.m.curg.store(0, Ordering::Relaxed);
        if g.stack.get().overflowed_below() {
            crate::signal::overflow_exit(g.stack.get().size(), Some(&g));
        }
        if let Some(p) = (ctx.p.get() != NO_P).then(|| ctx.p()) {
            p.curg.store(0, Ordering::Relaxed);
        }
        match res {
            CoroutineResult::Return(()) => {
                let c = slot.take().expect("coroutine present");
                let st = c.into_stack();
                st.bounds().disarm();
                ctx.put_stack(st);
                sched.g_dead(&g);
                return;
            }
            CoroutineResult::Yield(Switch::Yield) => {
                g.set_status(GStatus::Runnable);
                sched.globrunqput(g);
                sched.wakep();
                return;
            }
            CoroutineResult::Yield(Switch::Park) => {
                // Commit the park now that the goroutine is off its stack.
                if g.token
                    .compare_exchange(
                        TOKEN_EMPTY,
                        TOKEN_PARKED,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    )
                    .is_ok()
                {
                    bump64(&pp.parks);
                    return;
                }
                // The token arrived meanwhile: run it again right away.
                inherit = true;
            }
            CoroutineResult::Yield(Switch::SyscallNoP) => {
                g.set_status(GStatus::Runnable);
                sched.globrunqput(g);
                return;
            }
            CoroutineResult::Yield(Switch::Stop) => return,
        }
    }
}

/// `x += 1` on a counter only the P's owner writes: no locked RMW needed.
fn bump(x: &std::sync::atomic::AtomicU32) {
    x.store(x.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
}

/// [`bump`] for a 64-bit counter.
fn bump64(x: &std::sync::atomic::AtomicU64) {
    x.store(x.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
}

/// `ready`/`goready`: make a parked G runnable. On an M of the same runtime
/// that holds its P, the G goes to `runnext`; otherwise to the global queue.
pub(crate) fn ready(g: Arc<G>) {
    g.set_status(GStatus::Runnable);
    spawn_g(g);
}

/// Puts a runnable G where `newproc` and `goready` do: `runnext` of the
/// current P, or the global queue of its runtime when called from outside
/// that runtime's Ms (or from an M without a running P).
///
/// The G is moved, never cloned, and its runtime is reached through it: on
/// this path (every wake-up) a reference-count update on the runtime would
/// be a write to a cache line all Ms share.
pub(crate) fn spawn_g(g: Arc<G>) {
    let mut pending = Some(g);
    with_m(|ctx| {
        let p = ctx.p.get();
        let ours = pending
            .as_ref()
            .is_some_and(|g| Arc::ptr_eq(&ctx.sched, &g.sched));
        if ours && p != NO_P && ctx.sched.ps[p].status.load(Ordering::Acquire) == P_RUNNING {
            let g = pending.take().expect("checked above");
            if let Some(over) = ctx.sched.ps[p].runq.put(g, true) {
                ctx.sched.globrunqputbatch(over);
            }
            ctx.sched.wakep();
        }
    });
    if let Some(g) = pending {
        let sched = Arc::clone(&g.sched);
        sched.globrunqput(g);
        sched.wakep();
    }
}

/// `entersyscall`: the running G is about to block; its P becomes
/// retakeable. Returns false when not on a goroutine.
pub(crate) fn enter_syscall() -> bool {
    with_g(stop_if_shut_down);
    with_m(|ctx| {
        let gp = ctx.curg.get();
        if gp.is_null() || ctx.p.get() == NO_P {
            return false;
        }
        // SAFETY: `curg` is alive while it runs (see `with_g`).
        let g = unsafe { &*gp };
        if g.status() == GStatus::Syscall {
            return false; // nested: the outer call already released the P
        }
        g.set_status(GStatus::Syscall);
        let pp = ctx.p();
        pp.syscalltick.fetch_add(1, Ordering::Relaxed);
        ctx.sched.nsyscall.fetch_add(1, Ordering::SeqCst);
        pp.status.store(crate::sched::P_SYSCALL, Ordering::Release);
        true
    })
    .unwrap_or(false)
}

/// `exitsyscall`: take our P back, or any idle P, or queue the G globally
/// and switch away until an M runs it again.
pub(crate) fn exit_syscall() {
    let got_p = with_m(|ctx| {
        let sched = &ctx.sched;
        sched.nsyscall.fetch_sub(1, Ordering::SeqCst);
        let p = ctx.p.get();
        if p != NO_P
            && sched.ps[p]
                .status
                .compare_exchange(
                    crate::sched::P_SYSCALL,
                    P_RUNNING,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
        {
            // ABA guard: the P may have been handed off, taken by another M
            // and put back in a syscall by it. Its acquirep wrote `m` before
            // that syscall's status store, so our successful CAS sees it.
            if sched.ps[p].m.load(Ordering::Acquire) == ctx.m.id {
                return true;
            }
            // Not ours: put it back as it was (if its owner's exit CAS failed
            // meanwhile, sysmon retakes the P as usual).
            sched.ps[p]
                .status
                .store(crate::sched::P_SYSCALL, Ordering::Release);
        }
        // sysmon handed our P off.
        ctx.releasep();
        let mut l = sched.lock();
        if let Some(p) = sched.pidleget_locked(&mut l) {
            drop(l);
            ctx.acquirep(p);
            return true;
        }
        false
    })
    .expect("exit_syscall on an M");
    with_g(|g| {
        if got_p {
            g.set_status(GStatus::Running);
        } else {
            g.switch(Switch::SyscallNoP);
        }
        stop_if_shut_down(g);
    });
}

/// A schedule point of a goroutine whose runtime has shut down (its `run`
/// returned): the goroutine goes no further. Its M drops it and exits; its
/// stack is abandoned, as a blocked goroutine's is (Go's die with the
/// process).
#[inline]
fn stop_if_shut_down(g: &G) {
    if g.sched.shutdown.load(Ordering::Relaxed) {
        stop(g);
    }
}

/// [`stop_if_shut_down`]'s way out, kept off the schedule points' path.
#[cold]
#[inline(never)]
fn stop(g: &G) -> ! {
    tracing::debug!(goroutine = g.id, "stopped: the runtime has shut down");
    g.switch(Switch::Stop);
    unreachable!("a stopped goroutine is never resumed");
}

/// Whether a park on the current goroutine can commit (token protocol);
/// used by `park`, on behalf of a caller at `at`.
pub(crate) fn park_current(
    reason: crate::park::WaitReason,
    at: &'static std::panic::Location<'static>,
) -> bool {
    let parked = with_g(|g| {
        // Parking inside `syscall(|| ...)`: handled below, off this closure.
        if g.status() == GStatus::Syscall {
            return false;
        }
        // A token already here: consume it and return. Read first, so the
        // common case (no token) costs a load rather than a locked CAS. A
        // park that switches needs no shutdown check: its M stops and never
        // resumes it; this one goes on without a switch, so it checks.
        if g.token.load(Ordering::Acquire) == crate::g::TOKEN_NOTIFIED
            && g.token
                .compare_exchange(
                    crate::g::TOKEN_NOTIFIED,
                    TOKEN_EMPTY,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
        {
            stop_if_shut_down(g);
            return true;
        }
        g.set_waiting(reason, at, g.sched.coarse_now());
        g.set_status(GStatus::Waiting);
        tracing::trace!(goroutine = g.id, reason = reason.as_str(), "park");
        g.switch(Switch::Park);
        // Woken (or the park did not commit): consume the token. With a
        // swap, not a store: the caller re-checks its wake-up condition
        // next, and a plain store could land after a concurrent
        // `notify` (erasing its token) while that re-check, reordered
        // before the store, still read the condition as unmet: the
        // goroutine then parks with nobody left to wake it. The swap
        // either reads that notify's token (Acquire: the condition it
        // published is visible to the re-check) or comes first (the
        // token stays for the next park). Found with a channel lock whose
        // waiters slept on a futex: goroutine mpmc cap 1 lost a completed
        // sender's or receiver's wake-up in 2 of 3 runs; 0 of 6 after.
        g.token.swap(TOKEN_EMPTY, Ordering::AcqRel);
        true
    });
    match parked {
        None => false,
        Some(true) => true,
        Some(false) => {
            // Leave the syscall first (take a P back), park as usual, and
            // re-enter it afterwards: a parked goroutine must never leave a
            // syscall-state P behind on its M.
            exit_syscall();
            let parked = park_current(reason, at);
            enter_syscall();
            parked
        }
    }
}

/// `Gosched` on a goroutine; false when not on one.
pub(crate) fn yield_current() -> bool {
    if with_g(|g| g.status() == GStatus::Syscall) == Some(true) {
        exit_syscall();
        let yielded = yield_current();
        enter_syscall();
        return yielded;
    }
    with_g(|g| {
        stop_if_shut_down(g);
        g.switch(Switch::Yield);
    })
    .is_some()
}
