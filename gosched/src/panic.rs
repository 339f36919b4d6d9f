//! A panic that ends a goroutine or a timer callback ends its run (Go's
//! `runtime/panic.go: fatalpanic, startpanic_m`, Go 1.27), and the panic
//! hook that tells the runtime where a goroutine's panic started.
//!
//! The hook is installed once per process, in front of the one already
//! set, so that a goroutine's panic prints Go's report instead of Rust's
//! `thread '…' panicked at` line; panics off goroutines and timer
//! callbacks still go to the previous hook. A hook set later replaces
//! gosched's: goroutine panics are then still reported and fail the run,
//! but main returning at the same moment may win the race.

use std::any::Any;
use std::backtrace::Backtrace;
use std::fmt::Display;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Once};

use crate::current::with_g;
use crate::g::{G, GYielder};
use crate::outcome::{Outcome, RunError};
use crate::report::{self, PanicSite};
use crate::sched::Sched;
use crate::timerheap::{self, CallbackPanic};

/// Installs the panic hook, once per process.
pub(crate) fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let site = || PanicSite {
                at: info
                    .location()
                    .map_or_else(String::new, ToString::to_string),
                backtrace: Backtrace::capture(),
            };
            // Nothing is printed yet: Go prints nothing for a recovered
            // panic, and the runtime prints Go's report for one that ends
            // its goroutine or timer callback.
            let ours =
                with_g(|g| g.panic_started(site())).is_some() || timerheap::callback_panicked(site);
            if !ours {
                previous(info);
            }
        }));
    });
}

/// The first code on every goroutine stack (`goexit` is the return).
pub(crate) fn goroutine_entry(y: &GYielder, body: impl FnOnce()) {
    with_g(|g| g.set_yielder(y));
    let result = std::panic::catch_unwind(AssertUnwindSafe(body));
    with_g(|g| match result {
        // It may have caught a panic of its own on the way.
        Ok(()) => g.notice_recovery(),
        Err(payload) => fatal_panic(g, &*payload),
    });
}

/// A goroutine's panic reached its entry: Go's `fatalpanic`. Prints Go's
/// report and fails the run.
fn fatal_panic(g: &G, payload: &(dyn Any + Send)) {
    let sched = &g.sched;
    // Claim before the unwinding count drops, so that main cannot slip
    // its return in between.
    let claimed = sched.outcome.claim_failure();
    let site = g.panic_ended();
    if !claimed {
        return; // another failure is being reported, or the run is over
    }
    let (message, repanicked) = report::panic_message(payload);
    let at = site.as_ref().map(|s| &s.at as &dyn Display);
    let mut text = String::new();
    let _ = report::panic(&mut text, &message, repanicked, &g.report(sched.now(), at));
    let err = RunError::Panic {
        goroutine: g.id(),
        message,
        spawned_at: g.spawned_at().to_string(),
        report: text,
    };
    fail(sched, err, site.as_deref());
}

/// A timer callback run by an M of `sched` panicked (`timerheap.rs`): the
/// same as a goroutine panic, of goroutine 0.
pub(crate) fn timer_callback_panic(sched: &Arc<Sched>, p: CallbackPanic) {
    if !sched.outcome.claim_failure() {
        return;
    }
    let err = RunError::Panic {
        goroutine: 0,
        message: p.message,
        spawned_at: p.origin.at.to_string(),
        report: p.report,
    };
    fail(sched, err, p.site.as_ref());
}

/// Ends the run with a failure it has claimed: prints the report (and the
/// Rust backtrace `RUST_BACKTRACE` asked for) and records the outcome. A
/// runtime nobody waits on (the default one behind `go`) has no `run` to
/// fail: the process exits with status 2, as Go's does.
fn fail(sched: &Sched, err: RunError, site: Option<&PanicSite>) {
    if let RunError::Panic { report, .. } = &err {
        report::print_panic(report, site);
    }
    sched.outcome.finish(Outcome::Failed(err));
    if sched.cfg.exit_on_failure {
        std::process::exit(2);
    }
}
