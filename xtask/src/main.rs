//! `cargo xtask` — goruntime's task runner (the cargo-xtask convention).
//!
//! One module per subcommand:
//! - `verify` — the cross-crate property, invariant and golden-data suite;
//! - `bench` — criterion benchmarks per topic, side by side with their peers;
//! - `growslice` — "what would Go do?" for `append`.

mod bench;
mod cli;
mod growslice;
mod verify;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [args]

commands:
  verify [--deep] [FILTER]   run the property, invariant and golden checks
  bench [TOPIC] [-- ARGS]    run criterion benchmarks (topics: slice)
  growslice ...              the capacity Go's append produces (see --help)";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest: Vec<String> = args.collect();
    match command.as_str() {
        "verify" => verify::run(&rest),
        "bench" => bench::run(&rest),
        "growslice" => growslice::run(&rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("error: unknown command `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
