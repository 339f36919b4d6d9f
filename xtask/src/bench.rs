//! `cargo xtask bench [TOPIC] [-- CRITERION ARGS]`: criterion benchmarks per
//! topic. Each topic's bench target puts our structure beside its peer in the
//! same criterion group, so one run gives the ratio.

use std::process::{Command, ExitCode};

use crate::cli::project_root;

/// A topic: the package and the bench target that holds its groups.
pub(crate) struct Topic {
    pub(crate) name: &'static str,
    package: &'static str,
    bench: &'static str,
    peers: &'static str,
    /// The prefix of our functions' ids in its criterion groups.
    pub(crate) ours: &'static str,
    /// The peers' function ids, in the order `report` takes a ratio to.
    pub(crate) peer_ids: &'static [&'static str],
}

pub(crate) const TOPICS: &[Topic] = &[
    Topic {
        name: "slice",
        package: "goslice",
        bench: "slice",
        peers: "Vec<T>",
        ours: "goslice",
        peer_ids: &["Vec::push", "Vec"],
    },
    Topic {
        name: "map",
        package: "gomap",
        bench: "map",
        peers: "hashbrown::HashMap, std::collections::HashMap (and gomap's classic map, gomap-classic)",
        ours: "gomap",
        peer_ids: &["hashbrown", "std"],
    },
    Topic {
        name: "gc",
        package: "gogc",
        bench: "gc",
        peers: "Vec writes (stores), Box and Rc (allocation, freeing, binary-trees), the gc-arena crate, a Vec depth-first walk (marking)",
        ours: "gogc",
        peer_ids: &["vec", "box", "gc-arena", "rc", "vec-dfs"],
    },
    Topic {
        name: "sched",
        package: "gosched",
        bench: "sched",
        peers: "std::thread, crossbeam::scope, may, tokio",
        ours: "gosched",
        peer_ids: &[
            "std_thread",
            "std_thread_yield",
            "crossbeam_scope",
            "may_2_workers",
            "tokio_2_workers",
        ],
    },
    Topic {
        name: "chan",
        package: "gochan",
        bench: "chan",
        peers: "crossbeam-channel, flume, std::sync::mpsc (threads); Go 1.27 when `go` is on PATH (goroutines)",
        ours: "gochan",
        peer_ids: &["crossbeam-channel", "go"],
    },
    Topic {
        name: "ctx",
        package: "goctx",
        bench: "ctx",
        peers: "tokio_util::sync::CancellationToken; Go 1.27's context when `go` is on PATH",
        ours: "goctx",
        peer_ids: &["go", "tokio-util"],
    },
];

/// The topic named `name`, or every topic when `None`; `Err` names the
/// known ones.
pub(crate) fn select_topics(name: Option<&str>) -> Result<Vec<&'static Topic>, String> {
    let Some(name) = name else {
        return Ok(TOPICS.iter().collect());
    };
    match TOPICS.iter().find(|t| t.name == name) {
        Some(t) => Ok(vec![t]),
        None => {
            let names: Vec<_> = TOPICS.iter().map(|t| t.name).collect();
            Err(format!(
                "unknown topic `{name}` (topics: {})",
                names.join(", ")
            ))
        }
    }
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let (ours, criterion_args) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[][..]),
    };
    let selected = match select_topics(ours.first().map(String::as_str)) {
        Ok(selected) => selected,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    crate::idle::warn_if_busy(std::time::Duration::from_millis(300));
    for topic in selected {
        eprintln!(
            "== bench {}: {} vs {}",
            topic.name, topic.package, topic.peers
        );
        let status = Command::new(env!("CARGO"))
            .current_dir(project_root())
            .args(["bench", "-p", topic.package, "--bench", topic.bench, "--"])
            .args(criterion_args)
            .status();
        match status {
            Ok(s) if s.success() => {
                let dir = crate::report::default_dir();
                if let Err(e) = crate::provenance::record_bench_run(&dir, topic.name) {
                    eprintln!(
                        "warning: could not log the run under {}: {e}",
                        dir.display()
                    );
                }
            }
            Ok(s) => {
                eprintln!("error: bench {} failed: {s}", topic.name);
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: could not run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
