//! The Computer Language Benchmarks Game's binary-trees, with every node a
//! gogc object on a paced heap (Go's pacer: `GOGC`, `GOMEMLIMIT` and
//! `GODEBUG=gctrace=1` are read from the environment) and one mutator
//! thread. The same program as `benches/go/binarytrees.go`, line for line:
//! it prints the game's lines, then `depth=N ms=T`.
//!
//! ```text
//! cargo run --release -p gogc --example binarytrees -- 21
//! GODEBUG=gctrace=1 cargo run --release -p gogc --example binarytrees -- 18
//! cargo run --release -p gogc --example binarytrees -- 21 --with box       # no GC: Box
//! cargo run --release -p gogc --example binarytrees -- 21 --with gc-arena  # the gc-arena crate
//! ```

use std::process::ExitCode;
use std::time::Instant;

use gogc::Settings;

mod trees;

use trees::{OnBox, OnGogc, run};

/// The three implementations of the same program.
#[derive(Clone, Copy, PartialEq, Eq)]
enum With {
    Gogc,
    Box,
    GcArena,
}

fn parse() -> Result<(u32, With), String> {
    let mut n = 10;
    let mut with = With::Gogc;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--with" => {
                with = match it.next().as_deref() {
                    Some("gogc") => With::Gogc,
                    Some("box") => With::Box,
                    Some("gc-arena") => With::GcArena,
                    other => return Err(format!("--with gogc|box|gc-arena, not {other:?}")),
                }
            }
            depth => n = depth.parse().map_err(|e| format!("depth {depth:?}: {e}"))?,
        }
    }
    Ok((n, with))
}

fn print(line: std::fmt::Arguments<'_>) {
    println!("{line}");
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let (n, with) = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("binarytrees: {e}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    match with {
        With::Gogc => run(&mut OnGogc::new(Settings::from_env()), n, print),
        With::Box => run(&mut OnBox::default(), n, print),
        With::GcArena => run(&mut trees::arena::new(), n, print),
    }
    println!("depth={n} ms={}", start.elapsed().as_millis());
    ExitCode::SUCCESS
}
