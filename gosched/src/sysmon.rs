//! sysmon: the monitor thread (`runtime/proc.go: sysmon, retake,
//! schedtrace, checkdead`, Go 1.27).
//!
//! Sleeps 20 µs while it keeps finding work, doubling after 50 idle rounds up
//! to 10 ms, exactly Go's back-off. Each round it
//! - retakes Ps whose goroutine sits in [`syscall`](crate::syscall) for more
//!   than one sysmon tick when there is other work (or after 10 ms anyway)
//!   and hands them to another M (`handoffp`);
//! - preempts time slices over 10 ms (Go's `preemptone`): it sets the P's
//!   `preempt` flag, and the P's M ends the slice at its next schedule
//!   (`mstart.rs`'s `find_runnable`: the G that would inherit the slice
//!   goes to the global queue). A goroutine that reaches no schedule point
//!   cannot be stopped sooner (preemption is cooperative), so when one
//!   goroutine ran that long sysmon also logs a `tracing` warning;
//! - prints `GODEBUG=schedtrace` lines;
//! - checks for deadlock (Go's `checkdead`, with the grace period described
//!   on [`Runtime::deadlock_detection`](crate::Runtime::deadlock_detection)).

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::gfree::SCAVENGE_PERIOD_NS;
use crate::outcome::{Outcome, RunError};
use crate::p::{NO_P, P_IDLE, P_RUNNING, P_SYSCALL};
use crate::report;
use crate::sched::Sched;
use crate::status::GStatus;
use crate::timerthread;

/// Go's `forcePreemptNS`.
const FORCE_PREEMPT_NS: u64 = 10_000_000;

pub(crate) fn start(sched: Arc<Sched>) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name("gosched-sysmon".into())
        .spawn(move || sysmon(&sched))
        .unwrap_or_else(|e| report::fatal(&format!("runtime: cannot start sysmon: {e}")))
}

fn sysmon(sched: &Arc<Sched>) {
    let mut idle = 0u32;
    let mut delay = 0u64; // µs
    let mut last_trace = 0u64;
    let mut last_scavenge = 0u64;
    let mut suspect: Option<(u64, u64)> = None; // (progress, since)
    while !sched.shutdown.load(Ordering::Acquire) {
        if idle == 0 {
            delay = 20;
        } else if idle > 50 {
            delay *= 2;
        }
        delay = delay.min(10_000);
        sched.sysmon_sleep(Duration::from_micros(delay));
        let now = sched.now();
        sched.coarse_now.store(now, Ordering::Relaxed);
        if retake(sched, now) > 0 {
            idle = 0;
        } else {
            idle += 1;
        }
        let new_pass = last_scavenge + SCAVENGE_PERIOD_NS <= now;
        if new_pass {
            last_scavenge = now;
        }
        sched.scavenge(new_pass);
        let every = sched.cfg.schedtrace_ms;
        if every > 0 && last_trace + every * 1_000_000 <= now {
            last_trace = now;
            eprint!("{}", schedtrace(sched, sched.cfg.scheddetail, now));
        }
        if let Some(grace) = sched.cfg.deadlock_grace {
            if looks_dead(sched) {
                let progress = sched.runs();
                match suspect {
                    Some((p, since)) if p == progress => {
                        if now.saturating_sub(since) >= grace.as_nanos() as u64 && looks_dead(sched)
                        {
                            report_deadlock(sched, now);
                            return;
                        }
                    }
                    _ => suspect = Some((progress, now)),
                }
            } else {
                suspect = None;
            }
        }
    }
}

/// `retake`: returns how many Ps it took from syscalls.
fn retake(sched: &Arc<Sched>, now: u64) -> usize {
    let mut n = 0;
    for pp in &sched.ps[..] {
        let status = pp.status.load(Ordering::Acquire);
        if status == P_IDLE {
            continue;
        }
        let mut pd = pp.sysmon.lock().unwrap_or_else(|e| e.into_inner());
        let t = pp.schedtick.load(Ordering::Relaxed);
        let runs = pp.runs.load(Ordering::Relaxed);
        // Go's `sysretake`: a time slice over 10 ms that is now in a
        // syscall is ended by taking its P, however often the goroutine
        // has come out of syscalls meanwhile. A goroutine that loops over
        // short syscalls never reaches the scheduler otherwise, and with
        // it the timers and queues its P should be serving.
        let sysretake =
            status == P_SYSCALL && pd.schedtick == t && pd.schedwhen + FORCE_PREEMPT_NS <= now;
        if pd.schedtick != t {
            pd.schedtick = t;
            pd.schedwhen = now;
            pd.runs = runs;
        } else if status == P_RUNNING
            && pd.schedwhen + FORCE_PREEMPT_NS <= now
            && pd.warned_tick != Some(t)
        {
            let g = pp.curg.load(Ordering::Relaxed);
            // Cooperative `preemptone`: the time slice ends at the next
            // schedule point.
            pp.preempt.store(true, Ordering::Release);
            pd.warned_tick = Some(t);
            if g != 0 && runs == pd.runs {
                sched.counters.long_runners.fetch_add(1, Ordering::Relaxed);
                let site = pp.curg_site.load(Ordering::Relaxed);
                // SAFETY: `curg_site` only ever holds null or a pointer made
                // from a `&'static Location<'static>`.
                let site = unsafe { site.as_ref() }.map_or_else(String::new, ToString::to_string);
                tracing::warn!(
                    goroutine = g,
                    spawned_at = %site,
                    p = pp.id,
                    ran_ms = (now - pd.schedwhen) / 1_000_000,
                    "goroutine has run for over 10ms without yielding; preemption is cooperative \
                     (call gosched::yield_now in long loops)"
                );
            }
        }
        if status != P_SYSCALL {
            continue;
        }
        let st = pp.syscalltick.load(Ordering::Relaxed);
        if !sysretake && pd.syscalltick != st {
            pd.syscalltick = st;
            pd.syscallwhen = now;
            continue;
        }
        if pp.runq.is_empty()
            && sched.globq_len.load(Ordering::SeqCst) == 0
            && sched.nmspinning.load(Ordering::SeqCst) + sched.npidle.load(Ordering::SeqCst) > 0
            && pd.syscallwhen + 10_000_000 > now
        {
            continue;
        }
        drop(pd);
        if pp
            .status
            .compare_exchange(P_SYSCALL, P_IDLE, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            n += 1;
            sched.handoffp(pp.id);
        }
    }
    n
}

/// Everything parked, nothing that could wake it.
fn looks_dead(s: &Sched) -> bool {
    s.gcount() > 0
        && s.nsyscall.load(Ordering::SeqCst) == 0
        && s.npidle.load(Ordering::SeqCst) == s.cfg.gomaxprocs
        && s.nmspinning.load(Ordering::SeqCst) == 0
        && s.nmidle.load(Ordering::SeqCst) == s.mcount.load(Ordering::SeqCst)
        && s.globq_len.load(Ordering::SeqCst) == 0
        && s.ps.iter().all(|p| p.runq.is_empty())
        && s.all_gs().iter().all(|g| g.status() == GStatus::Waiting)
        && s.timers.live() == 0
        && timerthread::thread_timers_live() == 0
}

/// `checkdead`'s report: Go's `fatal error: all goroutines are asleep -
/// deadlock!` and a block per goroutine, each at the place it parked.
fn report_deadlock(s: &Sched, now: u64) {
    if !s.outcome.claim_failure() {
        return;
    }
    let gs = s.all_gs();
    let mut dump = String::new();
    let _ = report::goroutines(
        &mut dump,
        gs.iter().map(|g| {
            let at = g.park_site().map(|l| l as &dyn std::fmt::Display);
            g.report(now, at)
        }),
    );
    let err = RunError::Deadlock { dump };
    eprintln!("{err}");
    s.outcome.finish(Outcome::Failed(err));
}

/// Go 1.27's `schedtrace` output.
pub(crate) fn schedtrace(s: &Sched, detailed: bool, now: u64) -> String {
    let mut out = String::new();
    let l = s.lock();
    let _ = write!(
        out,
        "SCHED {}ms: gomaxprocs={} idleprocs={} threads={} spinningthreads={} needspinning=0 idlethreads={} runqueue={}",
        now / 1_000_000,
        s.cfg.gomaxprocs,
        s.npidle.load(Ordering::SeqCst),
        s.mcount.load(Ordering::SeqCst) + 1,
        s.nmspinning.load(Ordering::SeqCst),
        s.nmidle.load(Ordering::SeqCst),
        l.globq.len()
    );
    if detailed {
        out.push_str(" gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false\n");
        for pp in &s.ps[..] {
            let m = pp.m.load(Ordering::Relaxed);
            let status = u8::from(pp.status.load(Ordering::Relaxed) != P_IDLE);
            let _ = writeln!(
                out,
                "  P{}: status={} schedtick={} syscalltick={} m={} runqsize={} gfreecnt=0 timerslen={}",
                pp.id,
                status,
                pp.schedtick.load(Ordering::Relaxed),
                pp.syscalltick.load(Ordering::Relaxed),
                if m == 0 {
                    "nil".to_owned()
                } else {
                    m.to_string()
                },
                pp.runq.len(),
                if pp.id == 0 { s.timers.len() } else { 0 }
            );
        }
        for m in &l.allm {
            let p = m.p.load(Ordering::Relaxed);
            let g = m.curg.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "  M{}: p={} curg={} mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning={} blocked={} lockedg=nil",
                m.id,
                if p == NO_P {
                    "nil".to_owned()
                } else {
                    p.to_string()
                },
                if g == 0 {
                    "nil".to_owned()
                } else {
                    g.to_string()
                },
                m.spinning.load(Ordering::Relaxed),
                l.midle.iter().any(|i| Arc::ptr_eq(i, m)),
            );
        }
        drop(l);
        for g in s.all_gs() {
            let st = g.status();
            let code = st.go_code();
            let reason = if st == GStatus::Waiting {
                g.wait_reason().map(|r| r.as_str()).unwrap_or("")
            } else {
                ""
            };
            // Go prints the M only while the G is on one.
            let m = g.m.load(Ordering::Relaxed);
            let m = if matches!(st, GStatus::Running | GStatus::Syscall) && m != 0 {
                m.to_string()
            } else {
                "nil".to_owned()
            };
            let _ = writeln!(
                out,
                "  G{}: status={code}({reason}) m={m} lockedm=nil",
                g.id()
            );
        }
    } else {
        let n = s.ps.len();
        for (i, pp) in s.ps.iter().enumerate() {
            out.push(' ');
            if i == 0 {
                out.push_str("[ ");
            }
            let _ = write!(out, "{}", pp.runq.len());
            if i == n - 1 {
                out.push_str(" ]");
            }
        }
        out.push_str(" schedticks=[ ");
        for pp in &s.ps[..] {
            let _ = write!(out, "{} ", pp.schedtick.load(Ordering::Relaxed));
        }
        out.push_str("]\n");
    }
    out
}
