//! `cargo xtask` — goruntime's task runner (the cargo-xtask convention).
//!
//! One module per subcommand:
//! - `verify` — the cross-crate property, invariant and golden-data suite;
//! - `bench` — criterion benchmarks per topic, side by side with their peers;
//! - `growslice` — "what would Go do?" for `append`;
//! - `mapgrowth` — "what would Go do?" for a map's `B` or swiss tables;
//! - `gc_explore` — gogc's schedule explorer: which barrier loses objects;
//! - `oracle` — the same questions put to a real `go`, row by row;
//! - `measure` — the crates' own timing and memory programs beside their Go
//!   twins, in rounds, for the figures criterion does not make;
//! - `report` — the README tables, read back from criterion's output, and
//!   with `--plots` (`plots`) the SVG figures of `docs/report.md`;
//! - `provenance` — the machine, load and date a figure names;
//!
//! and `tidy`, the house rules, which runs as tests (`cargo test -p xtask`).

mod bench;
mod cli;
mod gc_explore;
mod growslice;
mod idle;
mod json;
mod mapgrowth;
mod measure;
mod oracle;
mod plots;
mod provenance;
mod report;
#[cfg(test)]
mod tidy;
mod verify;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [args]

commands:
  verify [--deep] [FILTER]   run the property, invariant and golden checks
  bench [TOPIC] [-- ARGS]    run criterion benchmarks (topics: slice, map, sched, chan, gc)
  growslice ...              the capacity Go's append produces (see --help)
  mapgrowth ...              a Go map's B or tables after make or inserts (see --help)
  gc-explore --barrier B --cases N [--seed S]
                             random GC schedules: does barrier B lose objects?
  oracle [--go PATH]         compare the models with a real go toolchain
  report [TOPIC] [--dir DIR] tables of the last bench results (markdown)
  measure [FIGURE|all] [--quick] [--rounds N]
                             run the crates' programs beside their Go twins (figures:
                             parked, gc-pause, binarytrees) into target/measured
  report --plots [--docs DIR] [--measured DIR]
                             SVG figures and docs/report.md (models, bench and measure results)";

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
        "oracle" => oracle::run(&rest),
        "mapgrowth" => mapgrowth::run(&rest),
        "gc-explore" => gc_explore::run(&rest),
        "measure" => measure::run(&rest),
        "report" => report::run(&rest),
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
