//! Starting a goroutine (`runtime/proc.go: newproc`, Go 1.27): on the
//! caller's runtime, or on the default runtime behind [`go`](crate::go) off
//! any [`Runtime::run`](crate::Runtime::run) — one per process, started on
//! first use and never stopped.

use std::panic::Location;
use std::sync::{Arc, OnceLock};

use crate::chaos;
use crate::current::{current_sched, with_g};
use crate::g::Spawn;
use crate::sched::{Config, Sched};
use crate::schedpoint::{preempt_check, spawn_g, yield_current};
use crate::signal;
use crate::sysmon;

/// The process-wide runtime: no deadlock detection (it has no main), and
/// a failure exits the process (nobody waits on its outcome).
static DEFAULT: OnceLock<Arc<Sched>> = OnceLock::new();

/// The default runtime, started if nothing started it yet.
pub(crate) fn default_sched() -> Arc<Sched> {
    Arc::clone(DEFAULT.get_or_init(|| {
        signal::install_handlers();
        let sched = Sched::new(Config {
            deadlock_grace: None,
            exit_on_failure: true,
            ..Config::from_env()
        });
        drop(sysmon::start(Arc::clone(&sched)));
        sched
    }))
}

/// The default runtime if something started it.
pub(crate) fn default_sched_if_started() -> Option<Arc<Sched>> {
    DEFAULT.get().map(Arc::clone)
}

/// What `go` records about a goroutine it starts from the caller: its
/// parent (the calling goroutine), `at`, and the function `f` is.
pub(crate) fn spawned_here<F>(at: &'static Location<'static>, f: &F) -> Spawn {
    Spawn::of(with_g(|g| g.id()).unwrap_or(0), at, f)
}

/// Starts a goroutine on the caller's runtime, or the default one.
pub(crate) fn spawn(spawn: Spawn, body: impl FnOnce() + Send + 'static) {
    let sched = current_sched().unwrap_or_else(default_sched);
    spawn_g(sched.new_g(spawn, body));
    preempt_check();
    if chaos::roll() {
        yield_current();
    }
}
