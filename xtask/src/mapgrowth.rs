//! `cargo xtask mapgrowth`: how Go's classic map (`runtime/map.go`, Go
//! 1.9–1.23) sizes itself, from gomap's model. Output is the answer and
//! nothing else on stdout.
//!
//! ```text
//! cargo xtask mapgrowth --go 1.19 --hint 100
//!     B right after make(map[int64]int64, 100): prints `B=4`
//! cargo xtask mapgrowth --go 1.19 --inserts 100000
//!     inserts distinct keys 0..100000 into make(map[int64]int64) and prints
//!     `count B` for the first insert and for each insert after which B
//!     changed (count = len(m) after that insert)
//! ```
//! `--go` takes 1.9 to 1.23 (default 1.23). Bad arguments: one line on
//! stderr, exit 2.

use std::io::Write;
use std::process::ExitCode;

use gomap::{GoVersion, HashMap, RandomSeed};

use crate::cli::{parse_count, parse_go_release, to_stdout, usage_error, value_of};

const HELP: &str = "usage: cargo xtask mapgrowth [--go 1.N] (--hint N | --inserts N)";

#[derive(Debug, PartialEq)]
enum Query {
    /// `B` after `make(map[int64]int64, hint)`.
    Hint(usize),
    /// `count B` rows over this many inserts.
    Inserts(usize),
}

#[derive(Debug, PartialEq)]
struct Args {
    version: GoVersion,
    query: Query,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut version = GoVersion::LATEST;
    let mut query = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let q = match flag.as_str() {
            "--go" => {
                version = parse_go_release(value_of(flag, &mut it)?)?;
                continue;
            }
            "--hint" => Query::Hint(parse_count(flag, value_of(flag, &mut it)?)?),
            "--inserts" => Query::Inserts(parse_count(flag, value_of(flag, &mut it)?)?),
            "-h" | "--help" => return Err(HELP.to_owned()),
            other => return Err(format!("unknown argument `{other}` ({HELP})")),
        };
        if query.replace(q).is_some() {
            return Err(format!("give one of --hint or --inserts, once ({HELP})"));
        }
    }
    let query =
        query.ok_or_else(|| format!("nothing to ask: give --hint or --inserts ({HELP})"))?;
    Ok(Args { version, query })
}

fn answer(args: &Args, out: &mut impl Write) -> std::io::Result<()> {
    match args.query {
        Query::Hint(hint) => {
            let m: HashMap<i64, i64> =
                HashMap::with_options(hint, RandomSeed::fixed(0), args.version);
            writeln!(out, "B={}", m.b())
        }
        Query::Inserts(n) => {
            let mut m: HashMap<i64, i64> =
                HashMap::with_options(0, RandomSeed::fixed(0), args.version);
            let mut last_b = None;
            for k in 0..n as i64 {
                m.insert(k, k);
                if last_b != Some(m.b()) {
                    last_b = Some(m.b());
                    writeln!(out, "{} {}", m.len(), m.b())?;
                }
            }
            Ok(())
        }
    }
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(args) => args,
        Err(msg) => return usage_error(msg),
    };
    match to_stdout(|out| answer(&args, out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::words;

    fn output(s: &str) -> String {
        let mut out = Vec::new();
        answer(&parse(&words(s)).unwrap(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hint_prints_b() {
        assert_eq!(output("--go 1.19 --hint 100"), "B=4\n");
        assert_eq!(output("--hint 0"), "B=0\n");
        assert_eq!(output("--go 1.9 --hint 8"), "B=1\n");
        assert_eq!(output("--go 1.21 --hint 13"), "B=2\n");
    }

    #[test]
    fn inserts_print_each_b_change() {
        let out = output("--go 1.19 --inserts 100000");
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows[..4], ["1 0", "9 1", "14 2", "27 3"]);
        assert_eq!(*rows.last().unwrap(), "53249 14");
        assert_eq!(output("--inserts 0"), "");
    }

    #[test]
    fn bad_arguments_are_rejected() {
        for bad in [
            "",
            "--go 1.8 --hint 1",
            "--go 1.24 --hint 1",
            "--go 2.0 --hint 1",
            "--hint",
            "--hint -1",
            "--hint x",
            "--hint 1 --inserts 2",
            "--hint 1 --hint 2",
            "--frobnicate",
        ] {
            assert!(parse(&words(bad)).is_err(), "{bad:?} was accepted");
        }
    }
}
