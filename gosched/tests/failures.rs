//! Loud failures, in child processes where the process must die
//! (`common::child`): goroutine panics, panics that race main's return,
//! the default runtime's panics, deadlocks, panicking timer callbacks,
//! `GODEBUG=schedtrace`; plus deadlock and leak reports in-process.
//! Reports are compared with real Go 1.27's text (`tests/golden/`, one Go
//! program per scenario) by their shape. Stack overflows: `overflow.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use gosched::{RunError, Runtime, WaitGroup, WaitReason, go};

mod common;
use common::child::{child, go_shape, report_of, stderr};
use common::shape::shape;

/// How many times the lost-panic scenarios repeat: 50, or 500 under
/// `cargo xtask verify --deep` (which sets `GORUNTIME_DEEP`).
fn repeat() -> usize {
    if std::env::var_os("GORUNTIME_DEEP").is_some() {
        500
    } else {
        50
    }
}
// ---- goroutine panics ------------------------------------------------------------

#[test]
#[ignore = "child process of a_goroutine_panic_prints_gos_report_and_exits_2"]
fn child_panic() {
    Runtime::new().run_or_exit(|| {
        go(|| panic!("boom in goroutine"));
        gosched::time::sleep(Duration::from_secs(5));
    });
}

/// Go: `tests/golden/panic`.
#[test]
fn a_goroutine_panic_prints_gos_report_and_exits_2() {
    for procs in ["1", "2"] {
        let out = child("child_panic", &[("GOMAXPROCS", procs)]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let report = report_of(&err);
        assert!(
            report.starts_with(
                "panic: boom in goroutine\n\ngoroutine 2 [running]:\n\
                 failures::child_panic::{{closure}}::{{closure}}()\n\tgosched/tests/failures.rs:"
            ),
            "{err}"
        );
        assert!(
            report.contains("\ncreated by failures::child_panic::{{closure}} in goroutine 1\n"),
            "{err}"
        );
        assert_eq!(
            shape(report),
            go_shape(include_str!("golden/panic.txt")),
            "{err}"
        );
        assert!(!err.contains("panicked at"), "Rust's hook spoke: {err}");
    }
}

#[test]
#[ignore = "child process of a_main_goroutine_panic_has_no_creator"]
fn child_main_panic() {
    Runtime::new().run_or_exit(|| panic!("boom in main"));
}

/// Go: `tests/golden/mainpanic` (no `created by` for goroutine 1).
#[test]
fn a_main_goroutine_panic_has_no_creator() {
    let out = child("child_main_panic", &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let report = report_of(&err);
    assert!(
        report.starts_with("panic: boom in main\n\ngoroutine 1 [running]:\n"),
        "{err}"
    );
    assert_eq!(
        shape(report),
        go_shape(include_str!("golden/mainpanic.txt")),
        "{err}"
    );
}

#[test]
fn run_returns_the_panic_as_an_error() {
    let line = Arc::new(AtomicU32::new(0));
    let l2 = line.clone();
    let err = Runtime::new()
        .run(move || {
            l2.store(line!() + 1, Ordering::Relaxed);
            go(|| panic!("{}", String::from("formatted")));
            gosched::time::sleep(Duration::from_secs(5));
        })
        .unwrap_err();
    let RunError::Panic {
        goroutine,
        message,
        spawned_at,
        report,
        ..
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(*goroutine, 2);
    assert_eq!(message, "formatted");
    let line = line.load(Ordering::Relaxed);
    assert!(
        spawned_at.ends_with(&format!("failures.rs:{line}:13")),
        "{spawned_at}"
    );
    assert!(report.starts_with("panic: formatted\n\ngoroutine 2 [running]:\n"));
    assert_eq!(err.to_string(), report.trim_end());
}

// ---- WaitGroup.Go: a panic never releases Wait -------------------------------------

#[test]
#[ignore = "child process of a_waitgroup_go_panic_never_releases_wait"]
fn child_waitgroup_go_panic() {
    Runtime::new().run_or_exit(|| {
        let wg = WaitGroup::new();
        wg.go(|| panic!("boom in goroutine"));
        wg.wait();
        println!("Wait returned");
        gosched::time::sleep(Duration::from_secs(5));
    });
}

/// Go 1.27 (golang/go#76126, `tests/golden/wgpanic`): `Done` is not
/// called, the panic is re-raised as `[recovered, repanicked]`, exit 2.
#[test]
fn a_waitgroup_go_panic_never_releases_wait() {
    for procs in ["1", "2"] {
        let out = child("child_waitgroup_go_panic", &[("GOMAXPROCS", procs)]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("Wait returned"),
            "{err}"
        );
        let report = report_of(&err);
        assert!(
            report.starts_with(
                "panic: boom in goroutine [recovered, repanicked]\n\ngoroutine 2 [running]:\n"
            ),
            "{err}"
        );
        assert_eq!(
            shape(report),
            go_shape(include_str!("golden/wgpanic.txt")),
            "{err}"
        );
    }
}

// ---- a panic is never lost -----------------------------------------------------------

/// Sets its flag when dropped: during the unwinding of a panic, after the
/// panic hook has run.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// A goroutine panics while main returns: main sees the panic under way
/// (the goroutine is unwinding) and returns at once. Go: `main`'s return
/// waits for `runningPanicDefers` and the panic ends the program.
fn panic_racing_main_return() -> impl FnOnce() + Send + 'static {
    || {
        let unwinding = Arc::new(AtomicBool::new(false));
        let u = unwinding.clone();
        go(move || {
            let _flag = SetOnDrop(u);
            panic!("boom while main returns");
        });
        while !unwinding.load(Ordering::Acquire) {
            gosched::yield_now();
        }
    }
}

/// `WaitGroup::go` with a panicking goroutine while main waits, then returns.
fn panic_in_waitgroup_go() -> impl FnOnce() + Send + 'static {
    || {
        let wg = WaitGroup::new();
        wg.go(|| panic!("boom in wg.go"));
        wg.wait();
    }
}

#[test]
#[ignore = "child process of no_panic_is_ever_lost"]
fn child_panic_storm() {
    let n = repeat();
    let mut lost = 0;
    for _ in 0..n {
        for procs in [1, 2] {
            for (name, scenario) in [
                (
                    "race",
                    Box::new(panic_racing_main_return()) as Box<dyn FnOnce() + Send>,
                ),
                ("wg.go", Box::new(panic_in_waitgroup_go())),
            ] {
                match Runtime::new().gomaxprocs(procs).run(scenario) {
                    Err(RunError::Panic { .. }) => {}
                    other => {
                        lost += 1;
                        println!("lost panic ({name}, GOMAXPROCS={procs}): {other:?}");
                    }
                }
            }
        }
    }
    println!("runs={} lost={lost}", n * 4);
}

/// Each scenario on GOMAXPROCS 1 and 2, 50 times (500 under `verify
/// --deep`): every run fails with the panic, none returns `Ok`.
#[test]
fn no_panic_is_ever_lost() {
    let out = child("child_panic_storm", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    let n = repeat() * 4;
    assert!(stdout.contains(&format!("runs={n} lost=0\n")), "{stdout}");
    // One report per run, each Go's.
    let err = stderr(&out);
    assert_eq!(err.lines().filter(|l| l.starts_with("panic: ")).count(), n);
}

#[test]
#[ignore = "child process of a_panic_racing_main_return_still_ends_the_process"]
fn child_panic_race_exit() {
    Runtime::new().run_or_exit(panic_racing_main_return());
}

/// The same race through `run_or_exit`, with `RUST_BACKTRACE=1` (the
/// backtrace follows Go's report) and without.
#[test]
fn a_panic_racing_main_return_still_ends_the_process() {
    for procs in ["1", "2"] {
        for backtrace in ["0", "1"] {
            let out = child(
                "child_panic_race_exit",
                &[("GOMAXPROCS", procs), ("RUST_BACKTRACE", backtrace)],
            );
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{err}");
            assert!(
                report_of(&err).starts_with("panic: boom while main returns\n\n"),
                "{err}"
            );
            assert_eq!(
                backtrace == "1",
                err.contains("\nstack backtrace:\n"),
                "{err}"
            );
        }
    }
}

// ---- the default runtime ------------------------------------------------------------

#[test]
#[ignore = "child process of a_panic_on_the_default_runtime_ends_the_process"]
fn child_default_runtime_panic() {
    go(|| panic!("boom in goroutine"));
    std::thread::sleep(Duration::from_secs(5));
    println!("survived");
}

/// Off any `Runtime::run` there is nothing to return the failure to: the
/// process ends with Go's report and status 2, as Go's does.
#[test]
fn a_panic_on_the_default_runtime_ends_the_process() {
    let out = child("child_default_runtime_panic", &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("survived"));
    assert_eq!(
        shape(report_of(&err)),
        go_shape(include_str!("golden/panic.txt"))
            .into_iter()
            .map(|l| l.replace(" in goroutine N", ""))
            .collect::<Vec<_>>(),
        "{err}"
    );
}

#[test]
#[ignore = "child process of num_goroutine_on_a_plain_thread_starts_nothing"]
fn child_num_goroutine_on_a_thread() {
    let threads = || {
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .find_map(|l| {
                l.strip_prefix("Threads:")
                    .map(|n| n.trim().parse::<usize>().unwrap())
            })
            .unwrap()
    };
    let before = threads();
    assert_eq!(gosched::num_goroutine(), 0);
    assert!(gosched::leak::snapshot().is_empty());
    assert_eq!(threads(), before, "asking started threads");
    let (tx, rx) = std::sync::mpsc::channel();
    go(move || tx.send(gosched::num_goroutine()).unwrap());
    assert_eq!(rx.recv().unwrap(), 1);
    println!("ok");
}

/// `num_goroutine` and `leak::snapshot` on a plain thread read the default
/// runtime without starting it (one rule for both).
#[test]
fn num_goroutine_on_a_plain_thread_starts_nothing() {
    let out = child("child_num_goroutine_on_a_thread", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok\n"));
}

// ---- deadlock ------------------------------------------------------------------

#[test]
#[ignore = "child process of a_deadlock_fails_with_gos_report"]
fn child_deadlock() {
    Runtime::new().run_or_exit(|| {
        let wg = WaitGroup::new();
        wg.add(1);
        let w = wg.clone();
        go(move || w.wait());
        gosched::park(WaitReason::ChanReceive);
    });
}

/// Go: `tests/golden/deadlock`.
#[test]
fn a_deadlock_fails_with_gos_report() {
    for procs in ["1", "2"] {
        let out = child("child_deadlock", &[("GOMAXPROCS", procs)]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let report = report_of(&err);
        assert!(
            report.starts_with(
                "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n\
                 failures::child_deadlock::{{closure}}()\n\tgosched/tests/failures.rs:"
            ),
            "{err}"
        );
        assert!(
            report.contains("\ngoroutine 2 [sync.WaitGroup.Wait]:\n"),
            "{err}"
        );
        assert_eq!(
            shape(report),
            go_shape(include_str!("golden/deadlock.txt")),
            "{err}"
        );
    }
}

#[test]
fn deadlock_dump_names_every_blocked_goroutine() {
    let spawn_line = Arc::new(AtomicU32::new(0));
    let sl = spawn_line.clone();
    let err = Runtime::new()
        .gomaxprocs(2)
        .run(move || {
            let wg = WaitGroup::new();
            wg.add(1);
            for _ in 0..3 {
                let w = wg.clone();
                sl.store(line!() + 1, Ordering::Relaxed);
                go(move || w.wait());
            }
            // A sleeper is not deadlocked until its timer fires.
            gosched::time::sleep(Duration::from_millis(20));
            gosched::park(WaitReason::Select);
        })
        .unwrap_err();
    let RunError::Deadlock { dump } = &err else {
        panic!("{err:?}")
    };
    assert!(
        err.to_string()
            .starts_with("fatal error: all goroutines are asleep - deadlock!\n\n")
    );
    assert!(dump.starts_with("goroutine 1 [select]:\n"), "{dump}");
    let spawn_line = spawn_line.load(Ordering::Relaxed);
    for id in 2..=4 {
        let want = format!(
            "goroutine {id} [sync.WaitGroup.Wait]:\n\
             failures::deadlock_dump_names_every_blocked_goroutine::{{{{closure}}}}::{{{{closure}}}}()\n\
             \tgosched/tests/failures.rs:{spawn_line}:30\n\
             created by failures::deadlock_dump_names_every_blocked_goroutine::{{{{closure}}}} in goroutine 1\n\
             \tgosched/tests/failures.rs:{spawn_line}:17\n"
        );
        assert!(dump.contains(&want), "{want}\n{dump}");
    }
    assert_eq!(dump.matches("goroutine ").count(), 4 + 3, "{dump}");
}

#[test]
fn a_blocked_syscall_or_pending_timer_is_not_a_deadlock() {
    Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            let wg = WaitGroup::new();
            wg.go(|| gosched::syscall(|| std::thread::sleep(Duration::from_millis(200))));
            wg.go(|| gosched::time::sleep(Duration::from_millis(200)));
            wg.wait();
        })
        .unwrap();
}

/// The same shape, many times and short: the syscall's return, the timer
/// and the P's release race each other every round. A goroutine returning
/// from a syscall to find no idle P is queued globally; queued apart from
/// that look for a P, it once waited there beside a P just idled, with
/// every M asleep.
#[test]
fn a_goroutine_back_from_a_syscall_is_never_stranded() {
    for _ in 0..100 {
        Runtime::new()
            .gomaxprocs(1)
            .run(|| {
                let wg = WaitGroup::new();
                wg.go(|| gosched::syscall(|| std::thread::sleep(Duration::from_millis(2))));
                wg.go(|| gosched::time::sleep(Duration::from_millis(2)));
                wg.wait();
            })
            .unwrap();
    }
}

// ---- leaks ---------------------------------------------------------------------

#[test]
fn leak_report_names_the_goroutines_that_outlive_a_test() {
    Runtime::new()
        .gomaxprocs(2)
        .run(move || {
            let release = Arc::new(AtomicBool::new(false));
            let slot = Arc::new(std::sync::Mutex::new(None));
            let wg = WaitGroup::new();
            wg.add(1);
            go(|| {}); // finishes: not a leak
            let (r, w, s) = (release.clone(), wg.clone(), slot.clone());
            let line = line!() + 1;
            go(move || {
                *s.lock().unwrap() = Some(gosched::Unparker::current());
                while !r.load(Ordering::Acquire) {
                    gosched::park(WaitReason::ChanSend);
                }
                w.done();
            });
            let report = gosched::leak::find(Duration::from_millis(300), &[]).unwrap_err();
            assert_eq!(report.goroutines.len(), 1, "{report}");
            let g = &report.goroutines[0];
            assert_eq!(g.id, 3);
            assert_eq!(g.parent, 1);
            assert_eq!(g.status, gosched::GStatus::Waiting);
            assert_eq!(g.wait_reason, Some(WaitReason::ChanSend));
            assert!(
                g.spawned_at.ends_with(&format!("failures.rs:{line}:13")),
                "{}",
                g.spawned_at
            );
            assert!(g.waiting_for > Duration::from_millis(10));
            let parked_at = format!("failures.rs:{}:21", line + 3);
            assert!(
                g.parked_at.as_ref().is_some_and(|p| p.ends_with(&parked_at)),
                "{g:?}"
            );
            // Go's header: whole minutes only, none under one.
            let text = report.to_string();
            let want = format!(
                "found unexpected goroutines:\ngoroutine 3 [chan send]:\n\
                 failures::leak_report_names_the_goroutines_that_outlive_a_test::{{{{closure}}}}::{{{{closure}}}}()\n\
                 \tgosched/tests/{parked_at}\n\
                 created by failures::leak_report_names_the_goroutines_that_outlive_a_test::{{{{closure}}}} in goroutine 1\n\
                 \tgosched/tests/failures.rs:{line}:13\n"
            );
            assert_eq!(text, want);
            // Release it: now nothing leaks.
            release.store(true, Ordering::Release);
            slot.lock().unwrap().as_ref().unwrap().unpark_by_ref();
            wg.wait();
            gosched::leak::verify_none();
        })
        .unwrap();
}

#[test]
fn verify_none_panics_on_a_leak() {
    let err = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            go(|| gosched::park(WaitReason::Other("forever")));
            let r = std::panic::catch_unwind(gosched::leak::verify_none);
            r.unwrap_err()
                .downcast::<String>()
                .map(|s| *s)
                .unwrap_or_default()
        })
        .unwrap();
    assert!(
        err.starts_with("found unexpected goroutines:\ngoroutine 2 [forever]:\n"),
        "{err}"
    );
}

// ---- schedtrace ------------------------------------------------------------------

#[test]
#[ignore = "child process of godebug_schedtrace_prints_go_format_lines"]
fn child_schedtrace() {
    Runtime::new().gomaxprocs(2).run_or_exit(|| {
        let wg = WaitGroup::new();
        // Long enough that a loaded machine's late first SCHED line (seen at
        // 161 ms in CI) still finds the goroutines asleep.
        for _ in 0..4 {
            wg.go(|| gosched::time::sleep(Duration::from_millis(400)));
        }
        wg.wait();
    });
}

fn is_sched_line(l: &str) -> bool {
    // SCHED 20ms: gomaxprocs=2 idleprocs=2 threads=3 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=0 [ 0 0 ] schedticks=[ 3 1 ]
    let Some(rest) = l.strip_prefix("SCHED ") else {
        return false;
    };
    let Some((ms, rest)) = rest.split_once("ms: ") else {
        return false;
    };
    let words: Vec<&str> = rest.split(' ').collect();
    let keys = [
        "gomaxprocs",
        "idleprocs",
        "threads",
        "spinningthreads",
        "needspinning",
        "idlethreads",
        "runqueue",
    ];
    ms.parse::<u64>().is_ok()
        && words.len() == keys.len() + 4 + 4
        && keys.iter().zip(&words).all(|(k, w)| {
            w.split_once('=')
                .is_some_and(|(a, b)| a == *k && b.parse::<u64>().is_ok())
        })
        && words[7] == "["
        && words[10] == "]"
        && words[11] == "schedticks=["
        && words[14] == "]"
}

#[test]
fn godebug_schedtrace_prints_go_format_lines() {
    let out = child("child_schedtrace", &[("GODEBUG", "schedtrace=10")]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("SCHED")).collect();
    assert!(lines.len() >= 3, "{err}");
    assert!(lines.iter().all(|l| is_sched_line(l)), "{err}");
    assert!(lines.iter().all(|l| l.contains(" gomaxprocs=2 ")), "{err}");
}

#[test]
fn godebug_scheddetail_adds_p_m_g_lines() {
    let out = child(
        "child_schedtrace",
        &[("GODEBUG", "schedtrace=10,scheddetail=1")],
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(" gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false\n  P0: status="),
        "{err}"
    );
    assert!(err.contains("\n  P1: status="), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("  M") && l.contains(" curg=") && l.contains(" spinning=")),
        "{err}"
    );
    assert!(err.lines().any(|l| l.starts_with("  G1: status=")), "{err}");
    assert!(err.contains("(sleep) m=nil lockedm=nil"), "{err}");
}

// ---- GOMAXPROCS from the environment --------------------------------------------

#[test]
#[ignore = "child process of gomaxprocs_comes_from_the_environment"]
fn child_gomaxprocs() {
    let n = Runtime::new().run_or_exit(gosched::gomaxprocs);
    println!("gomaxprocs={n}");
}

#[test]
fn gomaxprocs_comes_from_the_environment() {
    let out = child("child_gomaxprocs", &[("GOMAXPROCS", "3")]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("gomaxprocs=3\n"),
        "{}",
        stderr(&out)
    );
}

// ---- leak check from a plain test thread ---------------------------------------

#[test]
#[ignore = "child process of verify_none_on_a_plain_thread_checks_the_default_runtime"]
fn child_plain_thread_leak() {
    gosched::leak::verify_none(); // nothing started yet: passes
    go(|| {});
    gosched::leak::verify_none(); // finished within the grace: passes
    go(|| gosched::park(WaitReason::Other("leaked on purpose")));
    gosched::leak::verify_none(); // panics
}

#[test]
fn verify_none_on_a_plain_thread_checks_the_default_runtime() {
    // In a child: the default runtime is process-wide, and other tests here
    // use it too.
    let out = child("child_plain_thread_leak", &[]);
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(!out.status.success());
    assert!(
        all.contains("found unexpected goroutines:\ngoroutine 2 [leaked on purpose]:\n"),
        "{all}"
    );
}

// ---- panicking timer callbacks ---------------------------------------------------

/// Go: `tests/golden/afterfunc`: the callback's goroutine panics, created by
/// no goroutine.
#[test]
fn a_panicking_after_func_callback_fails_run_like_a_goroutine() {
    let err = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            gosched::time::after_func(Duration::from_millis(1), || panic!("tick failed"));
            gosched::time::sleep(Duration::from_secs(5));
        })
        .unwrap_err();
    let RunError::Panic {
        goroutine,
        message,
        report,
        ..
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(*goroutine, 2, "{report}");
    assert_eq!(message, "tick failed");
    assert!(
        report.contains("\ncreated by failures::a_panicking_after_func_callback_fails_run_like_a_goroutine::{{closure}}\n\t"),
        "{report}"
    );
    assert_eq!(
        shape(report),
        go_shape(include_str!("golden/afterfunc.txt"))
    );
}

#[test]
fn a_panicking_nonblocking_callback_fails_run_as_goroutine_0() {
    let err = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            gosched::time::after_func_nonblocking(Duration::from_millis(1), || {
                panic!("send failed")
            });
            gosched::time::sleep(Duration::from_secs(5));
        })
        .unwrap_err();
    let RunError::Panic {
        goroutine, report, ..
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(*goroutine, 0);
    assert!(
        report.starts_with("panic: send failed\n\ngoroutine 0 [running]:\n"),
        "{report}"
    );
}

#[test]
#[ignore = "child process of a_panicking_callback_off_a_runtime_ends_the_process"]
fn child_after_func_panic_off_a_runtime() {
    gosched::time::after_func(Duration::from_millis(1), || panic!("tick failed"));
    std::thread::sleep(Duration::from_secs(5));
    println!("survived");
}

#[test]
#[ignore = "child process of a_panicking_callback_off_a_runtime_ends_the_process"]
fn child_nonblocking_panic_off_a_runtime() {
    gosched::time::after_func_nonblocking(Duration::from_millis(1), || panic!("send failed"));
    std::thread::sleep(Duration::from_secs(5));
    println!("survived");
}

/// Off a runtime, `after_func`'s goroutine runs on the default runtime:
/// its panic ends the process as Go's does (and so does a panicking
/// non-blocking callback on the timer thread).
#[test]
fn a_panicking_callback_off_a_runtime_ends_the_process() {
    for name in [
        "child_after_func_panic_off_a_runtime",
        "child_nonblocking_panic_off_a_runtime",
    ] {
        let out = child(name, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("survived"));
        assert!(report_of(&err).starts_with("panic: "), "{err}");
    }
}
