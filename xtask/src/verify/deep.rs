//! The rows `cargo xtask verify --deep` adds: the loom models with a wider
//! preemption bound than CI's, each model on its planted bug (where it must
//! fail with the panic the bug causes), and the stress and Go-port suites
//! under gosched's chaos schedule.

use super::{Check, Run};

/// A check that runs only under `--deep`, in an environment of its own.
pub(super) struct DeepCheck {
    pub(super) check: Check,
    pub(super) run: Run,
}

/// What a model run on its planted bug must print: its test's panic,
/// with loom's report or the model's own assertion in it. A non-zero exit
/// alone is not enough: a build error or a renamed test exits non-zero
/// too, and would pass for a caught bug.
pub(super) struct Caught {
    /// The model's test, run alone (`--exact`).
    pub(super) test: &'static str,
    /// Text of the panic's report: loom's (`deadlock; threads`,
    /// `Model exceeded maximum number of branches`), the location of an
    /// assertion in the model's file, or the panic the bug itself causes.
    pub(super) panic: &'static str,
}

impl Caught {
    /// Whether the output shows [`Caught::test`] panicking with
    /// [`Caught::panic`] in the report: the line naming the test's thread
    /// (loom runs a model's threads on it) and the few after it, which hold
    /// the message or an assertion's operands.
    pub(super) fn shown_by(&self, stdout: &str, stderr: &str) -> bool {
        let thread = format!("thread '{}' ", self.test);
        [stdout, stderr].iter().any(|output| {
            let lines: Vec<&str> = output.lines().collect();
            lines.iter().enumerate().any(|(at, line)| {
                line.starts_with(&thread)
                    && line.contains(" panicked at ")
                    && lines[at..lines.len().min(at + 4)]
                        .iter()
                        .any(|l| l.contains(self.panic))
            })
        })
    }
}

/// A model run on its planted bug, in a process of its own: loom's report
/// of a deadlock ends the whole test binary, so one model a process is the
/// only way to see each fail. Each bug is planted in a build of its own
/// (`--cfg 'loom_planted_bug="…"'`), in a target directory of its own so
/// the builds do not evict one another.
const fn planted_in(
    cargo_test: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    name: &'static str,
    shows: &'static str,
    caught: Caught,
) -> DeepCheck {
    DeepCheck {
        check: Check {
            name,
            shows,
            cargo_test,
        },
        run: Run {
            env,
            must_fail: Some(caught),
        },
    }
}

/// The model `test` panics with `panic` in its report.
const fn caught(test: &'static str, panic: &'static str) -> Caught {
    Caught { test, panic }
}

/// Loom's report of a deadlock: every thread blocked, one for good.
const DEADLOCK: &str = "deadlock; threads";
/// Loom's report of a thread that spins forever.
const SPINS: &str = "Model exceeded maximum number of branches";
/// Loom's report of a read not ordered after the write it sees.
const CAUSALITY: &str = "Causality violation";

/// A suite run under the chaos schedule (`gosched/src/chaos.rs`): built
/// with the crate's `chaos` feature, in a target directory of its own so
/// the normal build stays warm.
const fn chaos(
    name: &'static str,
    shows: &'static str,
    cargo_test: &'static [&'static str],
) -> DeepCheck {
    DeepCheck {
        check: Check {
            name,
            shows,
            cargo_test,
        },
        run: Run {
            env: &[("CARGO_TARGET_DIR", "target/chaos")],
            must_fail: None,
        },
    }
}

/// `cargo test` of a crate's models.
const GOSCHED_LIB: &[&str] = &["--profile", "loom", "-p", "gosched", "--lib"];
const GOCHAN_LIB: &[&str] = &["--profile", "loom", "-p", "gochan", "--lib"];
const GOCTX_LIB: &[&str] = &["--profile", "loom", "-p", "goctx", "--lib"];
const GOGC_LIB: &[&str] = &["--profile", "loom", "-p", "gogc", "--lib"];

/// A crate's models built with one planted bug.
macro_rules! one_bug {
    ($bug:literal) => {
        &[
            (
                "RUSTFLAGS",
                concat!("--cfg loom --cfg loom_planted_bug=\"", $bug, "\""),
            ),
            ("CARGO_TARGET_DIR", concat!("target/loom-planted-", $bug)),
            ("LOOM_MAX_PREEMPTIONS", "2"),
        ]
    };
}

/// How a crate's loom models run deep: a wider preemption bound than CI's.
const LOOM_DEEP: Run = Run {
    env: &[
        ("RUSTFLAGS", "--cfg loom"),
        ("CARGO_TARGET_DIR", "target/loom"),
        ("LOOM_MAX_PREEMPTIONS", "3"),
    ],
    must_fail: None,
};

/// The models' tests, each model that must catch a planted bug, and the
/// stress and Go-port suites under the chaos schedule.
pub(super) const DEEP_CHECKS: &[DeepCheck] = &[
    chaos(
        "gosched/chaos",
        "Go ports, scheduler stress and failure reports under random yields, runnext bypasses, victim orders",
        &[
            "-p",
            "gosched",
            "--features",
            "chaos",
            "--test",
            "golang",
            "--test",
            "sched",
            "--test",
            "syscalls",
            "--test",
            "failures",
            "--test",
            "timers",
            "--test",
            "shutdown",
        ],
    ),
    chaos(
        "gochan/chaos",
        "Go's chan/select tests and the stress suite with yields at every operation and spins in its lock",
        &[
            "-p",
            "gochan",
            "--features",
            "chaos",
            "--test",
            "golang",
            "--test",
            "stress",
            "--test",
            "select_closed",
            "--test",
            "semantics",
        ],
    ),
    chaos(
        "goctx/chaos",
        "Go's context tests and the cancellation stress suite under the chaos schedule",
        &[
            "-p",
            "goctx",
            "--features",
            "chaos",
            "--test",
            "golang",
            "--test",
            "golang_context",
            "--test",
            "golang_cause",
            "--test",
            "stress",
        ],
    ),
    DeepCheck {
        check: Check {
            name: "gosched/loom",
            shows: "park token and run queue: every interleaving, up to 3 preemptions",
            cargo_test: &["--profile", "loom", "-p", "gosched", "--lib", "loom_"],
        },
        run: LOOM_DEEP,
    },
    planted_in(
        GOSCHED_LIB,
        one_bug!("commit_store"),
        "gosched/loom_planted/commit",
        "the park's commit as check-then-store: a notify in between readies nobody (deadlock)",
        caught(
            "parktoken::loom_models::loom_park_then_notify_wakes_the_waiter",
            DEADLOCK,
        ),
    ),
    planted_in(
        GOSCHED_LIB,
        one_bug!("clear_store"),
        "gosched/loom_planted/token2",
        "the token's clear as a plain store: a second notify is lost (deadlock)",
        caught(
            "parktoken::loom_models::loom_double_notify_wakes_the_waiter",
            DEADLOCK,
        ),
    ),
    planted_in(
        GOSCHED_LIB,
        one_bug!("clear_store"),
        "gosched/loom_planted/timeout",
        "the token's clear as a plain store: a timer's notify erases the real one",
        caught(
            "parktoken::loom_models::loom_timeout_and_notify_race_to_wake_the_waiter",
            DEADLOCK,
        ),
    ),
    planted_in(
        GOSCHED_LIB,
        one_bug!("grab_store"),
        "gosched/loom_planted/get",
        "grab's CAS as a plain store: owner get and a thief take one G twice",
        caught(
            "runq::loom_models::loom_owner_get_against_a_thief",
            "a G lost or taken twice",
        ),
    ),
    planted_in(
        GOSCHED_LIB,
        one_bug!("steal_next_store"),
        "gosched/loom_planted/runnext",
        "a thief's runnext CAS as a plain store: the G the owner kicked to the tail taken twice",
        caught(
            "runq::loom_models::loom_owner_put_next_against_a_thief",
            "a G lost or taken twice",
        ),
    ),
    planted_in(
        GOSCHED_LIB,
        one_bug!("grab_store"),
        "gosched/loom_planted/overflow",
        "grab's CAS as a plain store: overflow and a thief take one G twice",
        caught(
            "runq::loom_models::loom_overflow_to_global_against_a_thief",
            "a G lost or taken twice",
        ),
    ),
    planted_in(
        GOSCHED_LIB,
        one_bug!("grab_store"),
        "gosched/loom_planted/thieves",
        "grab's CAS as a plain store: two thieves take one G twice",
        caught(
            "runq::loom_models::loom_two_thieves_and_the_owner",
            "a G lost or taken twice",
        ),
    ),
    DeepCheck {
        check: Check {
            name: "gochan/loom",
            shows: "stamped ring and split halves, sudog and select hand-off, sleeping lock: every interleaving, up to 3 preemptions",
            cargo_test: &["--profile", "loom", "-p", "gochan", "--lib", "loom_"],
        },
        run: LOOM_DEEP,
    },
    planted_in(
        GOCHAN_LIB,
        one_bug!("stamp_relaxed"),
        "gochan/loom_planted/fifo",
        "pop's stamp load Relaxed: a value read before its send's writes",
        caught("hchan::loom_models::loom_split_halves_keep_fifo", CAUSALITY),
    ),
    planted_in(
        GOCHAN_LIB,
        one_bug!("no_recheck"),
        "gochan/loom_planted/queued",
        "the send half's recvq re-check left out: a queued receiver never woken",
        caught(
            "hchan::loom_models::loom_buffered_send_wakes_a_queued_receiver",
            DEADLOCK,
        ),
    ),
    planted_in(
        GOCHAN_LIB,
        one_bug!("selected_relaxed"),
        "gochan/loom_planted/handoff",
        "the waiter's `selected` load Relaxed: a hand-off read before the sender's writes",
        caught(
            "hchan::loom_models::loom_handoff_to_a_parked_receiver_against_close",
            CAUSALITY,
        ),
    ),
    planted_in(
        GOCHAN_LIB,
        one_bug!("claim_store"),
        "gochan/loom_planted/select",
        "a select claimed by load-then-store: two senders complete one select",
        caught(
            "hchan::loom_models::loom_select_is_completed_once",
            "a parker completes once",
        ),
    ),
    planted_in(
        GOCHAN_LIB,
        one_bug!("unlock_store"),
        "gochan/loom_planted/lock",
        "the sleeping lock's unlock as load-then-store: a sleeper never woken",
        caught(
            "lock::loom_models::loom_sleeping_lock_wakes_its_sleeper",
            DEADLOCK,
        ),
    ),
    DeepCheck {
        check: Check {
            name: "goctx/loom",
            shows: "cancel against a reader, two cancels, a child linked against its parent's cancel: up to 3 preemptions",
            cargo_test: &["--profile", "loom", "-p", "goctx", "--lib", "loom_"],
        },
        run: LOOM_DEEP,
    },
    planted_in(
        GOCTX_LIB,
        one_bug!("err_relaxed"),
        "goctx/loom_planted/reader",
        "Err's fast-path load Relaxed: an error seen while done is still open",
        caught(
            "cancel::loom_models::loom_cancel_against_a_reader",
            "an error seen while `done` is still open",
        ),
    ),
    planted_in(
        GOCTX_LIB,
        one_bug!("cancel_unlocked"),
        "goctx/loom_planted/cancels",
        "the first-cancel check outside the lock: two cancels win, done closed twice",
        caught(
            "cancel::loom_models::loom_two_cancels_the_first_wins",
            "close of closed channel",
        ),
    ),
    planted_in(
        GOCTX_LIB,
        one_bug!("adopt_unlocked"),
        "goctx/loom_planted/adopt",
        "the parent's err checked outside its lock: a child linked after the cancel, left live",
        caught(
            "cancel::loom_models::loom_child_linked_against_its_parents_cancel",
            "the child was left live",
        ),
    ),
    DeepCheck {
        check: Check {
            name: "gogc/loom",
            shows: "mark words shared by mutator and worker, the worker's step-aside: up to 3 preemptions",
            cargo_test: &["--profile", "loom", "-p", "gogc", "--lib", "loom_"],
        },
        run: LOOM_DEEP,
    },
    planted_in(
        GOGC_LIB,
        one_bug!("mark_unshared"),
        "gogc/loom_planted/marks",
        "a shared mark set by load-then-store: a mark erased or an object greyed twice",
        caught(
            "span::memory::loom_models::loom_mark_bits_shared_by_the_mutator_and_the_worker",
            "panicked at gogc/src/span/memory/loom_models.rs:",
        ),
    ),
    planted_in(
        GOGC_LIB,
        one_bug!("step_aside_locked"),
        "gogc/loom_planted/step_aside",
        "the worker waits for the mutator holding the mutex: neither moves again",
        caught(
            "worker::loom_models::loom_worker_steps_aside_for_the_mutator",
            SPINS,
        ),
    ),
];

#[cfg(test)]
mod tests {
    use super::{Caught, DEADLOCK, DEEP_CHECKS, caught};

    const TOKEN: &str = "parktoken::loom_models::loom_double_notify_wakes_the_waiter";

    /// Loom's deadlock report, as the planted token prints it before the
    /// binary aborts (no libtest summary).
    const DEADLOCKED: &str = "\nrunning 1 test\n\n\
        thread 'parktoken::loom_models::loom_double_notify_wakes_the_waiter' (7852) panicked at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/loom-0.7.3/src/rt/execution.rs:215:13:\n\
        deadlock; threads = [(Id(0), Blocked(Location(None))), (Id(1), Blocked(Location(None))), (Id(2), Terminated), (Id(3), Terminated)]\n\
        stack backtrace:\n";

    #[test]
    fn a_planted_bug_is_caught_by_its_tests_panic_only() {
        let token = caught(TOKEN, DEADLOCK);
        assert!(token.shown_by(DEADLOCKED, ""));
        assert!(token.shown_by("", DEADLOCKED), "on either stream");
        // Another test's deadlock, another panic of this test, or a build
        // error: not caught.
        let other = caught("parktoken::loom_models::loom_park_then_notify", DEADLOCK);
        assert!(!other.shown_by(DEADLOCKED, ""));
        assert!(!caught(TOKEN, "a G lost or taken twice").shown_by(DEADLOCKED, ""));
        let build_error = "error[E0425]: cannot find value `x` in this scope\n\
                           error: could not compile `gosched` (lib test)";
        assert!(!token.shown_by("", build_error));
    }

    #[test]
    fn an_assertion_is_found_in_the_lines_after_its_thread() {
        let stdout = "---- runq::loom_models::loom_owner_get_against_a_thief stdout ----\n\n\
            thread 'runq::loom_models::loom_owner_get_against_a_thief' (7869) panicked at gosched/src/runq.rs:420:13:\n\
            a G lost or taken twice: came out [1, 1, 2, 2, 3, 4], queued [1, 2, 3, 4]\n";
        let get = |panic| Caught {
            test: "runq::loom_models::loom_owner_get_against_a_thief",
            panic,
        };
        assert!(get("a G lost or taken twice").shown_by(stdout, ""));
        assert!(get("gosched/src/runq.rs:").shown_by(stdout, ""));
        assert!(!get("close of closed channel").shown_by(stdout, ""));
    }

    #[test]
    fn every_planted_row_names_a_model_test_and_a_report() {
        let planted: Vec<&Caught> = DEEP_CHECKS
            .iter()
            .filter_map(|d| d.run.must_fail.as_ref())
            .collect();
        assert_eq!(planted.len(), 17);
        // Each bug is a value the workspace's `unexpected_cfgs` check knows,
        // so a misspelt one is a warning rather than a build with no bug.
        let workspace = include_str!("../../../Cargo.toml");
        for d in DEEP_CHECKS.iter().filter(|d| d.run.must_fail.is_some()) {
            let (_, flags) = d.run.env.iter().find(|(k, _)| *k == "RUSTFLAGS").unwrap();
            let bug = flags.split("loom_planted_bug=").nth(1).unwrap_or_default();
            assert!(
                bug.len() > 2 && workspace.contains(bug),
                "{}: {flags}",
                d.check.name
            );
        }
        for c in planted {
            let name = c.test.rsplit("::").next().unwrap_or_default();
            assert!(name.starts_with("loom_"), "{}", c.test);
            assert!(!c.panic.is_empty(), "{}", c.test);
        }
    }
}
