//! `cargo xtask verify [--deep] [FILTER]`: the cross-crate property,
//! invariant and golden-data suite, one summary line per check, then a
//! table per crate. While a check runs, a progress line names it and its
//! elapsed time (redrawn each second on a terminal, one line every 30 s in
//! a log).
//!
//! Each check is a test target (or a filter inside one) run through
//! `cargo test`, so a check that fails here fails the same way under
//! `cargo test --workspace`. `--deep` raises `PROPTEST_CASES` (from 256 to
//! 20 000; gogc's explorer runs five times that many schedules per barrier,
//! 100 000 deep) and sets `GORUNTIME_DEEP=1`, which tests that repeat a
//! scenario read (gosched's lost-panic storm: 500 rounds instead of 50), for
//! long runs that do not belong in CI. `--deep` also runs [`DEEP_CHECKS`]
//! (`verify/deep.rs`):
//! the loom models with a wider preemption bound than CI's, and the same
//! models on their planted bugs, where every model must fail with the
//! panic its bug causes (loom's report, or the model's assertion).

use std::io::{IsTerminal, Write};
use std::process::{Command, ExitCode, Output};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cli::project_root;

mod deep;

use deep::{Caught, DEEP_CHECKS};

/// One line of the summary.
struct Check {
    /// `crate/what`, matched by FILTER.
    name: &'static str,
    /// What a passing run shows.
    shows: &'static str,
    /// Arguments to `cargo test`.
    cargo_test: &'static [&'static str],
}

/// Every check, in dependency order. Chapters add their rows as they land.
const CHECKS: &[Check] = &[
    Check {
        name: "goslice/model",
        shows: "random make/slice/slice3/append/copy/set match a model of backing arrays",
        cargo_test: &["-p", "goslice", "--test", "model"],
    },
    Check {
        name: "goslice/growth",
        shows: "growslice/roundupsize invariants hold for every release 1.9-1.27",
        cargo_test: &["-p", "goslice", "--test", "growth"],
    },
    Check {
        name: "goslice/golden",
        shows: "every row of real Go 1.19/1.21-1.27 growth tables gives Go's cap; slicing moves %p as Go's",
        cargo_test: &["-p", "goslice", "--test", "golden"],
    },
    Check {
        name: "goslice/seed",
        shows: "chapter 1's examples print what the notes print",
        cargo_test: &["-p", "goslice", "--test", "seed"],
    },
    Check {
        name: "goslice/panics",
        shows: "misuse panics with Go's exact runtime error texts",
        cargo_test: &["-p", "goslice", "--test", "panics"],
    },
    Check {
        name: "goslice/zero_sized",
        shows: "make/append/copy of 2^40 zero-sized elements in constant time, as Go's",
        cargo_test: &["-p", "goslice", "--test", "zero_sized"],
    },
    Check {
        name: "gomap/model",
        shows: "random insert/get/remove/entry/retain/clear/range-with-writes match std's HashMap, Go 1.9-1.27; invariants after every op",
        cargo_test: &["-p", "gomap", "--test", "model"],
    },
    Check {
        name: "gomap/growth",
        shows: "iteration mid-growth yields each key once, random start, churn makes same-size growth",
        cargo_test: &["-p", "gomap", "--test", "growth"],
    },
    Check {
        name: "gomap/golden",
        shows: "B after make/inserts matches Go 1.19-1.23; m[k]++ and mapclear step by step match Go 1.19",
        cargo_test: &["-p", "gomap", "--test", "golden"],
    },
    Check {
        name: "gomap/golden_swiss",
        shows: "swiss map after make/inserts matches Go 1.24-1.27; tables and control bytes step by step match Go 1.27",
        cargo_test: &["-p", "gomap", "--test", "golden_swiss"],
    },
    Check {
        name: "gomap/panics",
        shows: "a Hash/Eq panic at any call, any growth point loses no entry, drops each once",
        cargo_test: &["-p", "gomap", "--test", "panics"],
    },
    Check {
        name: "gogc/figures",
        shows: "chapter 8's figures: lost without a barrier, insertion needs its re-scan, deletion floats, hybrid none",
        cargo_test: &["-p", "gogc", "--test", "figures"],
    },
    Check {
        name: "gogc/explore",
        shows: "random GC schedules: none loses an object in 3000, sound barriers none in 5 x PROPTEST_CASES",
        cargo_test: &["-p", "gogc", "--test", "explore"],
    },
    Check {
        name: "gogc/model",
        shows: "random alloc/load/store/roots/gc steps match a graph model; invariants and oracle every op",
        cargo_test: &["-p", "gogc", "--test", "model", "--test", "heap"],
    },
    Check {
        name: "gogc/uintptr",
        shows: "chapter 5: a uintptr does not keep its object alive, a pointer does (as real Go 1.27)",
        cargo_test: &["-p", "gogc", "--test", "uintptr"],
    },
    Check {
        name: "gogc/golang",
        shows: "Go 1.27 gc_test.go ports: deep nesting, array slice, rescan, IsReachable",
        cargo_test: &["-p", "gogc", "--test", "golang"],
    },
    Check {
        name: "gogc/pacer",
        shows: "Go 1.18+ pacer: goal and trigger bounds by hand; GOGC=off, GOMEMLIMIT, assists within the goal",
        cargo_test: &["-p", "gogc", "--test", "pacer"],
    },
    Check {
        name: "gogc/gctrace",
        shows: "gctrace lines (gogc's and real Go 1.27's) parse with extern.go's documented format",
        cargo_test: &["-p", "gogc", "--test", "gctrace"],
    },
    Check {
        name: "gogc/worker",
        shows: "a background mark worker under every sound barrier, invariants and oracle every op",
        cargo_test: &["-p", "gogc", "--test", "worker"],
    },
    Check {
        name: "gogc/rss",
        shows: "a heap that shrinks gives its spans back: RSS falls, then freed memory is reused",
        cargo_test: &["-p", "gogc", "--test", "rss"],
    },
    Check {
        name: "gogc/binarytrees",
        shows: "binary-trees prints its Go twin's lines on gogc (1 and 2 P), Box and gc-arena",
        cargo_test: &["-p", "gogc", "--test", "binarytrees"],
    },
    Check {
        name: "gosched/model",
        shows: "run queue and timer heap match models; owner + thieves lose no G",
        cargo_test: &["-p", "gosched", "--lib"],
    },
    Check {
        name: "gosched/sched",
        shows: "1M goroutines, spawn chains, steals, runnext, fairness, syscall handoff and retake",
        cargo_test: &["-p", "gosched", "--test", "sched", "--test", "syscalls"],
    },
    Check {
        name: "gosched/shutdown",
        shows: "once run returns, running goroutines stop at a schedule point; woken ones never run",
        cargo_test: &["-p", "gosched", "--test", "shutdown"],
    },
    Check {
        name: "gosched/timers",
        shows: "timers never early, AfterFunc in its own goroutine, sleep(MAX) forever, on and off a runtime",
        cargo_test: &["-p", "gosched", "--test", "timers"],
    },
    Check {
        name: "gosched/failures",
        shows: "panic, deadlock, leak reports match Go 1.27's text; exit 2; no panic lost",
        cargo_test: &["-p", "gosched", "--test", "failures"],
    },
    Check {
        name: "gosched/overflow",
        shows: "stack overflows, guarded and unguarded (canaries): Go's report, exit 2",
        cargo_test: &["-p", "gosched", "--test", "overflow"],
    },
    Check {
        name: "gosched/release",
        shows: "the same stack overflows in an optimised (bench profile) build: Go's report, exit 2",
        // The bench profile, not --release: `cargo bench` has built its
        // dependencies already, where --release would build them all again.
        cargo_test: &["--profile", "bench", "-p", "gosched", "--test", "overflow"],
    },
    Check {
        name: "gosched/golang",
        shows: "Go 1.27 proc_test.go ports: PingPongHog within 20x, yield progress, parallelism",
        cargo_test: &["-p", "gosched", "--test", "golang"],
    },
    Check {
        name: "gochan/model",
        shows: "random try/select send/recv/close on any capacity match a FIFO+closed model",
        cargo_test: &["-p", "gochan", "--test", "model"],
    },
    Check {
        name: "gochan/golang",
        shows: "Go 1.27's chan_test.go scenarios pass on threads, goroutines and mixed",
        cargo_test: &["-p", "gochan", "--test", "golang"],
    },
    Check {
        name: "gochan/semantics",
        shows: "close rules and Go's panic messages, nil chans, views, timers, select rules",
        cargo_test: &["-p", "gochan", "--test", "semantics"],
    },
    Check {
        name: "gochan/select_closed",
        shows: "select! treats closed channels as ready; uniform choice (binomial, chi-square)",
        cargo_test: &["-p", "gochan", "--test", "select_closed"],
    },
    Check {
        name: "gochan/large",
        shows: "4 KiB-65 535 B values through every channel path on 256 KiB goroutine stacks",
        cargo_test: &["-p", "gochan", "--test", "large"],
    },
    Check {
        name: "gochan/stress",
        shows: "N producers x M consumers with close: every message received exactly once",
        cargo_test: &["-p", "gochan", "--test", "stress"],
    },
    Check {
        name: "gochan/leaks",
        shows: "notes 3.4 blocking/leak scenarios: Go's wait reasons; fixed versions leak none",
        cargo_test: &["-p", "gochan", "--test", "leaks"],
    },
    Check {
        name: "goctx/model",
        shows: "random derivations, cancels and stops match a model of Go's tree after every step",
        cargo_test: &["-p", "goctx", "--test", "model"],
    },
    Check {
        name: "goctx/golang",
        shows: "Go 1.27's x_test.go ports (cancel, deadlines, values, layers) on threads and goroutines",
        cargo_test: &["-p", "goctx", "--test", "golang"],
    },
    Check {
        name: "goctx/golang_cause",
        shows: "Go 1.27's x_test.go ports (causes, custom contexts, AfterFunc) on threads and goroutines",
        cargo_test: &["-p", "goctx", "--test", "golang_cause"],
    },
    Check {
        name: "goctx/golang_context",
        shows: "Go 1.27's context_test.go and afterfunc_test.go ports: linkage, unlinking, watchers",
        cargo_test: &["-p", "goctx", "--test", "golang_context"],
    },
    Check {
        name: "goctx/allocs",
        shows: "Go's TestAllocs limits hold on a thread and on a goroutine",
        cargo_test: &["-p", "goctx", "--test", "allocs"],
    },
    Check {
        name: "goctx/semantics",
        shows: "String forms, clamping, timers stopped, unlinking, uncanceled trees freed, deep chains",
        cargo_test: &["-p", "goctx", "--test", "semantics"],
    },
    Check {
        name: "goctx/stress",
        shows: "10 000 contexts canceled from goroutines and threads: each done once, none left linked",
        cargo_test: &["-p", "goctx", "--test", "stress"],
    },
    Check {
        name: "goctx/timers",
        shows: "a thousand deadlines add no thread, on or off a runtime",
        cargo_test: &["-p", "goctx", "--test", "timers"],
    },
    Check {
        name: "goctx/lib",
        shows: "Duration/Time.String match 345 lines from Go 1.27; children set against a vector",
        cargo_test: &["-p", "goctx", "--lib"],
    },
    Check {
        name: "goctx/seed",
        shows: "chapter 4's programs print the notes' output; gen's leak found by the leak report",
        cargo_test: &["-p", "goctx", "--test", "seed"],
    },
    Check {
        name: "goruntime/tour",
        shows: "the tour runs chapters 1-8 printing the notes' lines; repr(C) offsets/sizes match Go 1.27",
        cargo_test: &["-p", "goruntime", "--test", "tour"],
    },
];

/// How a check runs beyond `cargo test` and its arguments.
struct Run {
    /// Set for its `cargo test` (a `--cfg` build goes to its own target
    /// directory, so it does not evict the normal build).
    env: &'static [(&'static str, &'static str)],
    /// A model run on its planted bug: the one test it runs, which must
    /// fail, and how.
    must_fail: Option<Caught>,
}

/// How every row of [`CHECKS`] runs.
const PLAIN: Run = Run {
    env: &[],
    must_fail: None,
};

const DEFAULT_CASES: &str = "256";
const DEEP_CASES: &str = "20000";

pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut deep = false;
    let mut filter: Option<&str> = None;
    for arg in args {
        match arg.as_str() {
            "--deep" => deep = true,
            flag if flag.starts_with('-') => {
                eprintln!(
                    "error: unknown flag `{flag}` (usage: cargo xtask verify [--deep] [FILTER])"
                );
                return ExitCode::from(2);
            }
            name => filter = Some(name),
        }
    }
    let cases = std::env::var("PROPTEST_CASES")
        .unwrap_or_else(|_| (if deep { DEEP_CASES } else { DEFAULT_CASES }).to_owned());
    let selected: Vec<(&Check, &Run)> = CHECKS
        .iter()
        .map(|c| (c, &PLAIN))
        .chain(
            DEEP_CHECKS
                .iter()
                .filter(|_| deep)
                .map(|d| (&d.check, &d.run)),
        )
        .filter(|(c, _)| filter.is_none_or(|f| c.name.contains(f)))
        .collect();
    if selected.is_empty() {
        eprintln!("error: no check matches `{}`", filter.unwrap_or_default());
        return ExitCode::from(2);
    }

    println!(
        "goruntime verify: {} checks, PROPTEST_CASES={cases}",
        selected.len()
    );
    let mut results = Vec::new();
    let started = Instant::now();
    for &(check, run) in &selected {
        let t0 = Instant::now();
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .current_dir(project_root())
            .arg("test")
            .args(check.cargo_test)
            .args(["--", "--test-threads=2"])
            .args(run.must_fail.iter().flat_map(|c| [c.test, "--exact"]))
            .env("PROPTEST_CASES", &cases)
            .envs(deep.then_some(("GORUNTIME_DEEP", "1")))
            .envs(run.env.iter().copied());
        let output = with_progress(check.name, move || cargo.output());
        let secs = t0.elapsed().as_secs_f64();
        match output {
            Ok(out) => {
                let stdout = String::from_utf8_lossy(&out.stdout);
                let (passed, fails) = count_results(&stdout);
                let stderr = String::from_utf8_lossy(&out.stderr);
                let ok = match &run.must_fail {
                    // Loom's report of a deadlock aborts the binary before
                    // libtest's summary: the panic is the evidence.
                    Some(caught) => {
                        passed == 0 && !out.status.success() && caught.shown_by(&stdout, &stderr)
                    }
                    None => out.status.success() && fails == 0 && passed > 0,
                };
                let verdict = if ok { "ok  " } else { "FAIL" };
                println!(
                    "{verdict} {:<22} {:>4} passed {:>3} failed {:>7.1}s  {}",
                    check.name, passed, fails, secs, check.shows
                );
                results.push(Outcome {
                    name: check.name,
                    ok,
                    passed,
                    failed: fails,
                    secs,
                });
                if !ok {
                    if let Some(caught) = &run.must_fail {
                        println!(
                            "     (the planted bug was not caught: no panic of {} reporting `{}`)",
                            caught.test, caught.panic
                        );
                    } else if passed == 0 && fails == 0 {
                        println!("     (no test ran: a check that runs nothing proves nothing)");
                    }
                    print_tail(&stdout, &stderr);
                }
            }
            Err(e) => {
                results.push(Outcome {
                    name: check.name,
                    ok: false,
                    passed: 0,
                    failed: 0,
                    secs,
                });
                println!("FAIL {:<22} could not run cargo test: {e}", check.name);
            }
        }
    }
    println!();
    print!("{}", summary_table(&results));
    let failed = results.iter().filter(|r| !r.ok).count();
    println!(
        "{} passed, {} failed ({:.1}s)",
        selected.len() - failed,
        failed,
        started.elapsed().as_secs_f64()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What one check came to.
struct Outcome {
    name: &'static str,
    ok: bool,
    passed: usize,
    failed: usize,
    secs: f64,
}

/// Runs `job` on a thread while stderr shows which check runs and for how
/// long: redrawn every second on a terminal, a line every 30 s otherwise
/// (CI logs), so a long check never looks like a hang.
fn with_progress(
    name: &str,
    job: impl FnOnce() -> std::io::Result<Output> + Send,
) -> std::io::Result<Output> {
    let terminal = std::io::stderr().is_terminal();
    let every = Duration::from_secs(if terminal { 1 } else { 30 });
    let t0 = Instant::now();
    std::thread::scope(|scope| {
        let (done, finished) = mpsc::channel();
        scope.spawn(move || done.send(job()));
        loop {
            match finished.recv_timeout(every) {
                Ok(output) => {
                    if terminal {
                        eprint!("\r\x1b[K");
                    }
                    return output;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let secs = t0.elapsed().as_secs();
                    if terminal {
                        eprint!("\r\x1b[K  running {name} ({secs}s)");
                    } else {
                        eprintln!("  still running {name} ({secs}s)");
                    }
                    let _ = std::io::stderr().flush();
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(std::io::Error::other("the thread running it panicked"));
                }
            }
        }
    })
}

/// The table per crate (markdown): checks passed of those run, tests
/// passed and failed, time.
fn summary_table(results: &[Outcome]) -> String {
    #[derive(Default)]
    struct Row {
        checks_ok: usize,
        checks: usize,
        passed: usize,
        failed: usize,
        secs: f64,
    }
    let mut rows: Vec<(&str, Row)> = Vec::new();
    let mut total = Row::default();
    for r in results {
        let krate = r.name.split('/').next().unwrap_or(r.name);
        let at = match rows.iter().position(|(k, _)| *k == krate) {
            Some(at) => at,
            None => {
                rows.push((krate, Row::default()));
                rows.len() - 1
            }
        };
        for row in [&mut rows[at].1, &mut total] {
            row.checks += 1;
            row.checks_ok += usize::from(r.ok);
            row.passed += r.passed;
            row.failed += r.failed;
            row.secs += r.secs;
        }
    }
    let mut out = String::from(
        "| crate | checks ok | tests passed | tests failed | time |\n|---|---:|---:|---:|---:|\n",
    );
    let line = |name: &str, r: &Row| {
        format!(
            "| {name} | {}/{} | {} | {} | {:.1}s |\n",
            r.checks_ok, r.checks, r.passed, r.failed, r.secs
        )
    };
    for (krate, row) in &rows {
        out.push_str(&line(krate, row));
    }
    out.push_str(&line("**all**", &total));
    out
}

/// Sums libtest's `test result: ok. N passed; M failed; ...` lines.
fn count_results(stdout: &str) -> (usize, usize) {
    let mut passed = 0;
    let mut failed = 0;
    for line in stdout.lines().filter(|l| l.starts_with("test result:")) {
        let number_before = |word: &str| -> usize {
            line.split(';')
                .find_map(|part| part.trim().strip_suffix(word))
                .and_then(|n| n.trim().rsplit(' ').next()?.parse().ok())
                .unwrap_or(0)
        };
        passed += number_before("passed");
        failed += number_before("failed");
    }
    (passed, failed)
}

fn print_tail(stdout: &str, stderr: &str) {
    const TAIL: usize = 40;
    for text in [stdout, stderr] {
        let lines: Vec<&str> = text.lines().collect();
        for line in &lines[lines.len().saturating_sub(TAIL)..] {
            println!("     | {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, count_results, summary_table};

    #[test]
    fn the_table_sums_checks_per_crate_in_run_order() {
        let outcome = |name, ok, passed, failed, secs| Outcome {
            name,
            ok,
            passed,
            failed,
            secs,
        };
        let table = summary_table(&[
            outcome("goslice/model", true, 3, 0, 1.0),
            outcome("gomap/model", false, 1, 2, 0.5),
            outcome("goslice/golden", true, 4, 0, 2.0),
        ]);
        assert_eq!(
            table,
            "| crate | checks ok | tests passed | tests failed | time |\n\
             |---|---:|---:|---:|---:|\n\
             | goslice | 2/2 | 7 | 0 | 3.0s |\n\
             | gomap | 0/1 | 1 | 2 | 0.5s |\n\
             | **all** | 2/3 | 8 | 2 | 3.5s |\n"
        );
    }

    #[test]
    fn counts_libtest_summaries() {
        let out = "running 3 tests\n\
                   test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n\
                   test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(count_results(out), (4, 2));
    }
}
