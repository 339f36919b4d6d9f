//! What an M runs: `mstart`'s loop of `schedule` — find a runnable G,
//! execute it until it switches back, act on why (`runtime/proc.go:
//! mstart1, schedule, findRunnable, stealWork, execute, stopm`, and the
//! switch-back halves of `park_m`, `goschedImpl`, `goexit0`,
//! `exitsyscall0`; Go 1.27).
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
//!    (yield, park, exit, lost its P in a syscall) and act on that; the
//!    goroutine's side of each switch is in `schedpoint.rs`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use corosensei::CoroutineResult;

use crate::chaos;
use crate::current::MCtx;
use crate::g::{G, Switch};
use crate::m::M;
use crate::overflow;
use crate::p::{NO_P, P_RUNNING, bump, bump64};
use crate::panic;
use crate::sched::Sched;
use crate::status::GStatus;

/// Go checks the global queue every 61 schedule ticks (`proc.go: findRunnable`).
const GLOBAL_CHECK_TICKS: u32 = 61;

/// `mstart`: the body of every M thread.
pub(crate) fn mstart(sched: Arc<Sched>, m: Arc<M>) {
    overflow::ensure_altstack();
    let ctx = MCtx::new(sched, m);
    let entered = ctx.enter();
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
    drop(entered);
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
                panic::timer_callback_panic(sched, p);
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
        let order = chaos::victim_order(n);
        for k in 0..n {
            let v = order.as_ref().map_or((start + k) % n, |o| o[k]);
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
        let goid = g.id();
        pp.curg.store(goid, Ordering::Relaxed);
        pp.curg_site.store(
            std::ptr::from_ref(g.spawned_at()).cast_mut(),
            Ordering::Relaxed,
        );
        g.m.store(ctx.m.id, Ordering::Relaxed);
        ctx.m.curg.store(goid, Ordering::Relaxed);
        ctx.curg.set(Arc::as_ptr(&g));
        // SAFETY: we own `g`: it came out of a run queue (or we just
        // re-took it after a failed park commit).
        let coro = unsafe { g.coro_mut() }.expect("coroutine present");
        if !g.stack.get().intact() {
            // A goroutine above overflowed into this stack: it must not run
            // on clobbered frames. Report the one that overflowed.
            let culprit = g.stack.get().culprit().and_then(|id| sched.find_g(id));
            overflow::overflow_exit(g.stack.get().size(), culprit.as_deref());
        }
        let res = coro.resume(());
        ctx.curg.set(std::ptr::null());
        ctx.m.curg.store(0, Ordering::Relaxed);
        if g.stack.get().overflowed_below() {
            overflow::overflow_exit(g.stack.get().size(), Some(&g));
        }
        let p = (ctx.p.get() != NO_P).then(|| ctx.p.get());
        if let Some(p) = p {
            sched.ps[p].curg.store(0, Ordering::Relaxed);
        }
        match res {
            CoroutineResult::Return(()) => {
                sched.g_dead(p, g);
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
                if g.token.commit_park() {
                    bump64(&pp.parks);
                    return;
                }
                // The token arrived meanwhile: run it again right away.
                inherit = true;
            }
            CoroutineResult::Yield(Switch::SyscallNoP) => {
                // `exitsyscall0`: take an idle P and run the G, or queue it
                // globally, under one hold of the lock. An M giving its P
                // up looks at the global queue under that lock too, so one
                // of the two sees the other: queued apart, the G could land
                // just after the last M released the last P and checked,
                // and wait there with a P idle and every M asleep.
                g.set_status(GStatus::Runnable);
                let mut l = sched.lock();
                if let Some(p) = sched.pidleget_locked(&mut l) {
                    drop(l);
                    ctx.acquirep(p);
                    inherit = false;
                    continue;
                }
                sched.globrunqput_locked(&mut l, g);
                return;
            }
            CoroutineResult::Yield(Switch::Stop) => return,
        }
    }
}
