//! Loud failures, each in a child process (this test binary re-run with one
//! `#[ignore]`d child scenario): goroutine panic, stack overflow, deadlock,
//! `GODEBUG=schedtrace`; plus deadlock and leak reports in-process.

use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gosched::{RunError, Runtime, WaitGroup, WaitReason, go};

fn child(name: &str, envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--ignored",
        "--exact",
        name,
        "--nocapture",
        "--test-threads=1",
    ]);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ---- panic -------------------------------------------------------------------

#[test]
#[ignore = "child process of a_goroutine_panic_reports_go_style_and_fails_run"]
fn child_panic() {
    Runtime::new().gomaxprocs(2).run_or_exit(|| {
        let wg = WaitGroup::new();
        wg.go(|| panic!("boom in goroutine"));
        wg.wait();
        gosched::time::sleep(Duration::from_secs(5));
    });
}

#[test]
fn a_goroutine_panic_reports_go_style_and_fails_run() {
    let out = child("child_panic", &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "panic: boom in goroutine\n\ngoroutine 2 [running]:\ncreated by goroutine 1 at "
        ),
        "{err}"
    );
    assert!(err.contains("failures.rs:"), "spawn site missing: {err}");
}

#[test]
fn run_returns_the_panic_as_an_error() {
    let line = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let l2 = line.clone();
    let err = Runtime::new()
        .run(move || {
            l2.store(line!() + 1, Ordering::Relaxed);
            go(|| panic!("{}", String::from("formatted")));
            gosched::time::sleep(Duration::from_secs(5));
        })
        .unwrap_err();
    match err {
        RunError::Panic {
            goroutine,
            message,
            spawned_at,
        } => {
            assert_eq!(goroutine, 2);
            assert_eq!(message, "formatted");
            let line = line.load(Ordering::Relaxed);
            assert!(
                spawned_at.ends_with(&format!("failures.rs:{line}:13")),
                "{spawned_at}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

// ---- stack overflow ------------------------------------------------------------

#[inline(never)]
fn recurse(n: u64) -> u64 {
    let buf = std::hint::black_box([n; 64]);
    if n == u64::MAX {
        0
    } else {
        recurse(n + 1) + buf[(n % 64) as usize]
    }
}

#[test]
#[ignore = "child process of a_stack_overflow_prints_gos_message_and_aborts"]
fn child_overflow() {
    Runtime::new()
        .gomaxprocs(1)
        .stack_size(64 * 1024)
        .run_or_exit(|| {
            let wg = WaitGroup::new();
            wg.go(|| {
                std::hint::black_box(recurse(0));
            });
            wg.wait();
        });
}

#[test]
fn a_stack_overflow_prints_gos_message_and_aborts() {
    let out = child("child_overflow", &[]);
    let err = stderr(&out);
    assert!(!out.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(libc_sigabrt()), "{err}");
    }
    assert!(
        err.contains(
            "runtime: goroutine stack exceeds 65536-byte limit\nfatal error: stack overflow"
        ),
        "{err}"
    );
    assert!(
        err.contains("goroutine 2 [running]:\ncreated by goroutine 1 at "),
        "{err}"
    );
}

fn libc_sigabrt() -> i32 {
    6
}

#[test]
fn a_stack_overflow_on_an_unguarded_stack_is_reported_too() {
    // GOSCHED_GUARD_BUDGET=0: every slab is unguarded (as past the
    // vm.max_map_count budget); the overflow runs through neighbouring slots
    // into the slab's own guard page and is reported the same way.
    let out = child("child_overflow", &[("GOSCHED_GUARD_BUDGET", "0")]);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains(
            "runtime: goroutine stack exceeds 65536-byte limit\nfatal error: stack overflow"
        ),
        "{err}"
    );
}

// ---- deadlock ------------------------------------------------------------------

#[test]
#[ignore = "child process of a_deadlock_fails_with_gos_message"]
fn child_deadlock() {
    Runtime::new().gomaxprocs(2).run_or_exit(|| {
        let wg = WaitGroup::new();
        wg.add(1);
        let w = wg.clone();
        go(move || w.wait());
        gosched::park(WaitReason::ChanReceive);
    });
}

#[test]
fn a_deadlock_fails_with_gos_message() {
    let out = child("child_deadlock", &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("goroutine 2 [sync.WaitGroup.Wait]:\ncreated by goroutine 1 at "),
        "{err}"
    );
}

#[test]
fn deadlock_dump_names_every_blocked_goroutine() {
    let spawn_line = Arc::new(std::sync::atomic::AtomicU32::new(0));
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
    assert!(
        dump.contains("goroutine 1 [select]:\ncreated at "),
        "{dump}"
    );
    for id in 2..=4 {
        let want = format!("goroutine {id} [sync.WaitGroup.Wait]:\ncreated by goroutine 1 at ");
        assert!(dump.contains(&want), "{dump}");
    }
    let spawn_line = spawn_line.load(Ordering::Relaxed);
    assert!(
        dump.contains(&format!("failures.rs:{spawn_line}:")),
        "{dump}"
    );
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
                *s.lock().unwrap() = Some(gosched::park::current());
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
            let text = report.to_string();
            assert!(
                text.starts_with("found unexpected goroutines:\ngoroutine 3 [chan send, "),
                "{text}"
            );
            // Release it: now nothing leaks.
            release.store(true, Ordering::Release);
            slot.lock().unwrap().as_ref().unwrap().unpark();
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
        err.contains("found unexpected goroutines:\ngoroutine 2 [forever, "),
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
        all.contains("found unexpected goroutines:\ngoroutine 2 [leaked on purpose, "),
        "{all}"
    );
}

// ---- a panicking timer callback ---------------------------------------------------

#[test]
fn a_panicking_after_func_callback_fails_run_and_the_runtime_survives_it() {
    let err = Runtime::new()
        .gomaxprocs(1)
        .run(|| {
            gosched::time::after_func(Duration::from_millis(1), || panic!("tick failed"));
            gosched::time::sleep(Duration::from_secs(5));
        })
        .unwrap_err();
    match err {
        RunError::Panic {
            goroutine, message, ..
        } => {
            assert_eq!(goroutine, 0);
            assert_eq!(message, "tick failed");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_panicking_callback_does_not_stop_the_timer_thread() {
    // Off a runtime: later timers still fire.
    gosched::time::after_func(Duration::from_millis(1), || panic!("first callback fails"));
    let (tx, rx) = std::sync::mpsc::channel();
    gosched::time::after_func(Duration::from_millis(5), move || tx.send(()).unwrap());
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
}
