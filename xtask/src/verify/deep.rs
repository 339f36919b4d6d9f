//! The rows `cargo xtask verify --deep` adds: the loom models with a wider
//! preemption bound than CI's, each model on its planted bug (where it must
//! fail), and the stress and Go-port suites under gosched's chaos schedule.

use super::{Check, Run};

/// A check that runs only under `--deep`, in an environment of its own.
pub(super) struct DeepCheck {
    pub(super) check: Check,
    pub(super) run: Run,
}

/// A model run on its planted bug, in a process of its own: loom's report
/// of a deadlock ends the whole test binary, so one model a process is the
/// only way to see each fail. Which models catch which bug (and that
/// `loom_park_then_notify` and `loom_owner_put_next_against_a_thief` do
/// not) is said in the models' docs.
const fn planted(
    name: &'static str,
    shows: &'static str,
    libtest: &'static [&'static str],
) -> DeepCheck {
    planted_in(
        &["--profile", "loom", "-p", "gosched", "--lib"],
        &[
            ("RUSTFLAGS", "--cfg loom --cfg loom_planted_bug"),
            ("CARGO_TARGET_DIR", "target/loom-planted"),
            ("LOOM_MAX_PREEMPTIONS", "2"),
        ],
        name,
        shows,
        libtest,
    )
}

/// [`planted`] for any crate and bug: gochan plants one bug a build
/// (`--cfg 'loom_planted_bug="…"'`), each in a target directory of its own
/// so the builds do not evict one another.
const fn planted_in(
    cargo_test: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    name: &'static str,
    shows: &'static str,
    libtest: &'static [&'static str],
) -> DeepCheck {
    DeepCheck {
        check: Check {
            name,
            shows,
            cargo_test,
        },
        run: Run {
            env,
            libtest,
            must_fail: true,
        },
    }
}

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
            libtest: &[],
            must_fail: false,
        },
    }
}

/// `cargo test` of gochan's models.
const GOCHAN_LIB: &[&str] = &["--profile", "loom", "-p", "gochan", "--lib"];

/// gochan's models built with one planted bug.
macro_rules! gochan_bug {
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
    libtest: &[],
    must_fail: false,
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
    planted(
        "gosched/loom_planted/token2",
        "the token's clear as a plain store: a second notify is lost (deadlock)",
        &[
            "parktoken::loom_models::loom_double_notify_wakes_the_waiter",
            "--exact",
        ],
    ),
    planted(
        "gosched/loom_planted/timeout",
        "the token's clear as a plain store: a timer's notify erases the real one",
        &[
            "parktoken::loom_models::loom_timeout_and_notify_race_to_wake_the_waiter",
            "--exact",
        ],
    ),
    planted(
        "gosched/loom_planted/get",
        "grab's CAS as a plain store: owner get and a thief take one G twice",
        &[
            "runq::loom_models::loom_owner_get_against_a_thief",
            "--exact",
        ],
    ),
    planted(
        "gosched/loom_planted/overflow",
        "grab's CAS as a plain store: overflow and a thief take one G twice",
        &[
            "runq::loom_models::loom_overflow_to_global_against_a_thief",
            "--exact",
        ],
    ),
    planted(
        "gosched/loom_planted/thieves",
        "grab's CAS as a plain store: two thieves take one G twice",
        &[
            "runq::loom_models::loom_two_thieves_and_the_owner",
            "--exact",
        ],
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
        gochan_bug!("stamp_relaxed"),
        "gochan/loom_planted/fifo",
        "pop's stamp load Relaxed: a value read before its send's writes",
        &["hchan::loom_models::loom_split_halves_keep_fifo", "--exact"],
    ),
    planted_in(
        GOCHAN_LIB,
        gochan_bug!("no_recheck"),
        "gochan/loom_planted/queued",
        "the send half's recvq re-check left out: a queued receiver never woken",
        &[
            "hchan::loom_models::loom_buffered_send_wakes_a_queued_receiver",
            "--exact",
        ],
    ),
    planted_in(
        GOCHAN_LIB,
        gochan_bug!("selected_relaxed"),
        "gochan/loom_planted/handoff",
        "the waiter's `selected` load Relaxed: a hand-off read before the sender's writes",
        &[
            "hchan::loom_models::loom_handoff_to_a_parked_receiver_against_close",
            "--exact",
        ],
    ),
    planted_in(
        GOCHAN_LIB,
        gochan_bug!("claim_store"),
        "gochan/loom_planted/select",
        "a select claimed by load-then-store: two senders complete one select",
        &[
            "hchan::loom_models::loom_select_is_completed_once",
            "--exact",
        ],
    ),
    planted_in(
        GOCHAN_LIB,
        gochan_bug!("unlock_store"),
        "gochan/loom_planted/lock",
        "the sleeping lock's unlock as load-then-store: a sleeper never woken",
        &[
            "lock::loom_models::loom_sleeping_lock_wakes_its_sleeper",
            "--exact",
        ],
    ),
];
