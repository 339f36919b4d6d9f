//! `cargo xtask gc-explore`: gogc's schedule explorer from the command line.
//!
//! ```text
//! cargo xtask gc-explore --barrier none --cases 3000 --seed 1
//!     runs 3000 random programs of mutator and collector steps under no
//!     barrier, tells the story of the first lost object (shrunk), and ends
//!     with `violations=V cases=3000`
//! ```
//! `--barrier` takes `none`, `dijkstra`, `yuasa`, `hybrid`, `hybrid-go`,
//! or one of the broken protocols `dijkstra-no-rescan`, `yuasa-no-snapshot`.
//! Without `--seed` the seed is random. The first line names the seed, the
//! last is exactly `violations=V cases=N`. Exit status 1 if a sound barrier
//! lost an object (a bug in gogc), 0 otherwise; bad arguments exit 2.

use std::io::Write;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use gogc::Barrier;
use gogc::explore::{Report, explore};

use crate::cli::{parse_count, to_stdout, usage_error, value_of};

const HELP: &str = "usage: cargo xtask gc-explore --barrier \
none|dijkstra|yuasa|hybrid|hybrid-go|dijkstra-no-rescan|yuasa-no-snapshot --cases N [--seed S]";

#[derive(Debug, PartialEq)]
struct Args {
    barrier: Barrier,
    cases: u64,
    seed: Option<u64>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let (mut barrier, mut cases, mut seed) = (None, None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--barrier" => {
                let name = value_of(flag, &mut it)?;
                barrier = Some(name.parse::<Barrier>().map_err(|e| e.to_string())?);
            }
            "--cases" => cases = Some(parse_count(flag, value_of(flag, &mut it)?)? as u64),
            "--seed" => seed = Some(parse_count(flag, value_of(flag, &mut it)?)? as u64),
            "-h" | "--help" => return Err(HELP.to_owned()),
            other => return Err(format!("unknown argument `{other}` ({HELP})")),
        }
    }
    Ok(Args {
        barrier: barrier.ok_or(format!("--barrier is required ({HELP})"))?,
        cases: cases.ok_or(format!("--cases is required ({HELP})"))?,
        seed,
    })
}

/// The seed line, the story if any, the summary line.
fn answer(report: &Report, seed: u64, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "seed={seed} barrier={}", report.barrier)?;
    if let Some(example) = &report.counterexample {
        writeln!(out, "first counterexample, shrunk:")?;
        out.write_all(example.story.as_bytes())?;
    }
    writeln!(out, "{}", report.summary())
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(args) => args,
        Err(msg) => return usage_error(msg),
    };
    let seed = args.seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let report = explore(args.barrier, args.cases, seed);
    match to_stdout(|out| answer(&report, seed, out)) {
        Ok(()) if args.barrier.is_sound() && report.violations > 0 => ExitCode::FAILURE,
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::words;

    #[test]
    fn parses_the_issue_command_line() {
        assert_eq!(
            parse(&words("--barrier hybrid-go --cases 100 --seed 7")),
            Ok(Args {
                barrier: Barrier::HybridGo,
                cases: 100,
                seed: Some(7)
            })
        );
        assert_eq!(
            parse(&words("--cases 5 --barrier none")).unwrap().seed,
            None
        );
    }

    #[test]
    fn bad_arguments_are_rejected() {
        for bad in [
            "--barrier steele --cases 1",
            "--barrier none",
            "--cases 10",
            "--barrier none --cases x",
            "--barrier none --cases 1 --seed",
            "--frobnicate",
        ] {
            assert!(parse(&words(bad)).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn the_last_line_is_the_summary() {
        for (barrier, lost) in [(Barrier::None, true), (Barrier::Hybrid, false)] {
            let report = explore(barrier, 300, 3);
            let mut out = Vec::new();
            answer(&report, 3, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            let last = text.lines().last().unwrap();
            assert_eq!(last, format!("violations={} cases=300", report.violations));
            assert_eq!(text.contains("lost object"), lost, "{text}");
            assert!(text.starts_with(&format!("seed=3 barrier={barrier}\n")));
        }
    }
}
