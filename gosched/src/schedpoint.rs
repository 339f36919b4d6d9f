//! Schedule points: where a running goroutine may leave its M and how it
//! comes back (`runtime/proc.go: gopark, goready, Gosched, entersyscall,
//! exitsyscall, newproc`'s `runqput`; `runtime/time.go: timeSleep`;
//! Go 1.27). Each runs on the goroutine's own stack and switches to its M
//! (`mstart.rs` acts on the switch); each is also where a goroutine whose
//! runtime has shut down stops.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::chaos;
use crate::current::{current_g, with_g, with_m};
use crate::g::{G, Switch};
use crate::p::{NO_P, P_RUNNING, P_SYSCALL};
use crate::status::{GStatus, WaitReason};
use crate::timerheap::{Origin, Timer};

/// Wakes `g` (the core of [`Unparker::unpark`](crate::Unparker::unpark)):
/// leaves its wake-up token and, if its park had committed, readies it.
#[inline]
pub(crate) fn unpark(g: Arc<G>, goid: u64) {
    if g.token.notify(goid) {
        ready(g);
    }
}

/// [`unpark`] for a caller that keeps its reference: the G is cloned only
/// when it must be readied.
#[inline]
pub(crate) fn unpark_by_ref(g: &Arc<G>, goid: u64) {
    if g.token.notify(goid) {
        ready(Arc::clone(g));
    }
}

/// `goready`: makes a parked G runnable. On an M of the same runtime that
/// holds its P, the G goes to `runnext`; otherwise to the global queue.
fn ready(g: Arc<G>) {
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
            if let Some(over) = ctx.sched.ps[p].runq.put(g, !chaos::roll()) {
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

/// The check Go makes in every function's prologue (`stackguard0 ==
/// stackPreempt`, then `gopreempt_m`): a running goroutine whose time
/// slice sysmon ended yields to the global queue. Spawning calls it, so a
/// loop that does nothing but spawn (a burst of `go` statements) lets its
/// P run what it spawned every 10 ms, as Go's does.
pub(crate) fn preempt_check() {
    let preempted = with_m(|ctx| ctx.p.get() != NO_P && ctx.p().preempt.load(Ordering::Relaxed))
        == Some(true)
        && with_g(|g| g.status() == GStatus::Running) == Some(true);
    if preempted {
        yield_current();
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
        pp.status.store(P_SYSCALL, Ordering::Release);
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
                .compare_exchange(P_SYSCALL, P_RUNNING, Ordering::AcqRel, Ordering::Acquire)
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
            sched.ps[p].status.store(P_SYSCALL, Ordering::Release);
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
    tracing::debug!(goroutine = g.id(), "stopped: the runtime has shut down");
    g.switch(Switch::Stop);
    unreachable!("a stopped goroutine is never resumed");
}

/// `gopark` for the calling goroutine, on behalf of a caller at `at`: parks
/// it until its token is provided (`parktoken.rs`), or consumes a token
/// already there. False when the caller is not a goroutine (it parks the
/// thread instead).
pub(crate) fn park_current(reason: WaitReason, at: &'static Location<'static>) -> bool {
    let parked = with_g(|g| {
        // Parking inside `syscall(|| ...)`: handled below, off this closure.
        if g.status() == GStatus::Syscall {
            return false;
        }
        // A token already here: consume it and return. A park that
        // switches needs no shutdown check: its M stops and never resumes
        // it; this one goes on without a switch, so it checks.
        if g.token.take_notified() {
            stop_if_shut_down(g);
            return true;
        }
        g.set_waiting(reason, at, g.sched.coarse_now());
        g.set_status(GStatus::Waiting);
        tracing::trace!(goroutine = g.id(), reason = reason.as_str(), "park");
        g.switch(Switch::Park);
        // Woken (or the park did not commit): consume the token.
        g.token.clear_after_wake();
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

/// A timer on the caller's runtime that unparks goroutine `g` after `d`
/// (the wake-up of `sleep` and `park_timeout`).
fn unpark_after(g: &Arc<G>, d: Duration, at: &'static Location<'static>) -> Timer {
    let origin = Origin {
        at,
        entry: "gosched::schedpoint::unpark_after",
    };
    let (who, goid) = (Arc::clone(g), g.id());
    g.sched
        .add_timer(d, origin, Box::new(move || unpark(who, goid)))
}

/// `park_current` that returns after `d` at the latest. False when the
/// caller is not a goroutine.
pub(crate) fn park_current_timeout(
    reason: WaitReason,
    d: Duration,
    at: &'static Location<'static>,
) -> bool {
    let Some(g) = current_g() else {
        return false;
    };
    let timer = unpark_after(&g, d, at);
    drop(g);
    park_current(reason, at);
    timer.stop();
    true
}

/// `timeSleep`: parks the calling goroutine for at least `d` with wait
/// reason `sleep`. False when the caller is not a goroutine.
pub(crate) fn sleep_current(d: Duration, at: &'static Location<'static>) -> bool {
    let Some(g) = current_g() else {
        return false;
    };
    let deadline = Instant::now().checked_add(d);
    let timer = unpark_after(&g, d, at);
    drop(g);
    while deadline.is_none_or(|t| Instant::now() < t) {
        park_current(WaitReason::Sleep, at);
    }
    timer.stop();
    true
}
