//! Goroutine leak reports: a snapshot of live goroutines and a test helper
//! that fails when goroutines outlive a test (what `go.uber.org/goleak`
//! gives Go users; each goroutine is printed as Go 1.27's tracebacks print
//! one, through `report.rs`).

use std::fmt;
use std::time::{Duration, Instant};

use crate::current::{current_sched, with_g};
use crate::report;
use crate::spawn;
use crate::status::{GStatus, WaitReason};
use crate::time::sleep;

/// One live goroutine.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GoroutineInfo {
    /// Goroutine id.
    pub id: u64,
    /// Id of the goroutine that spawned it (0: a plain thread).
    pub parent: u64,
    /// Current status.
    pub status: GStatus,
    /// Why it waits (only when [`GStatus::Waiting`]).
    pub wait_reason: Option<WaitReason>,
    /// Where it was spawned (`file:line:col`).
    pub spawned_at: String,
    /// How long it has been waiting (zero unless waiting). The park is
    /// stamped with sysmon's clock, so this may overstate by up to one
    /// sysmon tick (≤ 10 ms).
    pub waiting_for: Duration,
    /// The function it runs, as a Rust path (`app::main::{{closure}}`).
    pub function: &'static str,
    /// Where it parked (`file:line:col`; only when waiting).
    pub parked_at: Option<String>,
    /// Whether it is its runtime's main goroutine (which Go prints without
    /// a creator).
    pub main: bool,
}

/// Go's goroutine block: `goroutine 3 [chan send, 2 minutes]:`, the
/// function and where it parked, `created by app::main in goroutine 1`
/// and where.
///
/// ```
/// gosched::Runtime::new().run(|| {
///     let me = gosched::goid().unwrap();
///     let g = gosched::leak::snapshot().into_iter().find(|g| g.id == me).unwrap();
///     assert_eq!(g.to_string().lines().next(), Some("goroutine 1 [running]:"));
/// }).unwrap();
/// ```
impl fmt::Display for GoroutineInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match (self.status, self.wait_reason) {
            (GStatus::Waiting, Some(r)) => r.as_str(),
            (s, _) => s.as_str(),
        };
        let g = report::Goroutine {
            id: self.id,
            status,
            waiting_minutes: self.waiting_for.as_secs() / 60,
            throwing: None,
            function: self.function,
            frame_at: self.parked_at.as_ref().map(|s| s as &dyn fmt::Display),
            created_by: (!self.main).then(|| report::CreatedBy {
                function: report::creator(self.function),
                goroutine: self.parent,
                at: &self.spawned_at,
            }),
        };
        report::goroutine(f, &g)
    }
}

/// Live goroutines of the caller's runtime, by id; on a plain thread, those
/// of the default runtime behind [`go`](crate::go) (none if it never
/// started). Tests running in parallel share that default runtime, so a leak
/// check there sees every test's goroutines (as goleak does in one Go test
/// binary).
///
/// ```
/// gosched::Runtime::new().run(|| {
///     let me = gosched::goid().unwrap();
///     assert!(gosched::leak::snapshot().iter().any(|g| g.id == me));
/// }).unwrap();
/// ```
pub fn snapshot() -> Vec<GoroutineInfo> {
    let Some(sched) = current_sched().or_else(spawn::default_sched_if_started) else {
        return Vec::new();
    };
    let now = sched.now();
    sched
        .all_gs()
        .iter()
        .map(|g| {
            let status = g.status();
            GoroutineInfo {
                id: g.id(),
                parent: g.parent(),
                status,
                wait_reason: if status == GStatus::Waiting {
                    g.wait_reason()
                } else {
                    None
                },
                spawned_at: g.spawned_at().to_string(),
                waiting_for: if status == GStatus::Waiting {
                    Duration::from_nanos(now.saturating_sub(g.wait_since()))
                } else {
                    Duration::ZERO
                },
                function: g.entry(),
                parked_at: (status == GStatus::Waiting)
                    .then(|| g.park_site().map(ToString::to_string))
                    .flatten(),
                main: g.is_main(),
            }
        })
        .collect()
}

/// Goroutines that outlived a test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeakReport {
    /// The leaked goroutines.
    pub goroutines: Vec<GoroutineInfo>,
}

/// goleak's `found unexpected goroutines:` and a Go goroutine block for
/// each, separated by blank lines.
impl fmt::Display for LeakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", report::LEAK)?;
        for (i, g) in self.goroutines.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{g}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LeakReport {}

/// Waits up to `timeout` for every goroutine except the caller (and the
/// ones in `ignore`) to finish; returns the ones that did not (goleak's
/// `Find`). Retries with goleak's back-off (1 µs doubling to 100 ms).
///
/// ```
/// gosched::Runtime::new().run(|| {
///     gosched::go(|| gosched::time::sleep(std::time::Duration::from_millis(1)));
///     // Waits for the sleeper to finish.
///     gosched::leak::find(std::time::Duration::from_secs(1), &[]).unwrap();
/// }).unwrap();
/// ```
pub fn find(timeout: Duration, ignore: &[u64]) -> Result<(), LeakReport> {
    let me = with_g(|g| g.id());
    let deadline = Instant::now().checked_add(timeout);
    let mut delay = Duration::from_micros(1);
    loop {
        let left: Vec<GoroutineInfo> = snapshot()
            .into_iter()
            .filter(|g| Some(g.id) != me && !ignore.contains(&g.id) && g.status != GStatus::Dead)
            .collect();
        if left.is_empty() {
            return Ok(());
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(LeakReport { goroutines: left });
        }
        sleep(delay);
        delay = (delay * 2).min(Duration::from_millis(100));
    }
}

/// Test helper: panics with the leak report if goroutines other than the
/// caller are still alive after a 1 s grace (goleak's `VerifyNone`). Call it
/// at the end of `Runtime::run`'s main, or at the end of a plain `#[test]`
/// that used [`go`](crate::go).
///
/// ```
/// gosched::Runtime::new().run(|| {
///     gosched::go(|| {});
///     gosched::leak::verify_none();
/// }).unwrap();
/// ```
#[track_caller]
pub fn verify_none() {
    if let Err(report) = find(Duration::from_secs(1), &[]) {
        panic!("{report}");
    }
}
