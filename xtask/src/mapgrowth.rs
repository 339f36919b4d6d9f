//! `cargo xtask mapgrowth`: how Go's map sizes itself, from gomap's model
//! — the classic map (`runtime/map.go`, Go 1.9–1.23) or the swiss tables
//! (`internal/runtime/maps`, Go 1.24–1.27). Output is the answer and
//! nothing else on stdout.
//!
//! ```text
//! cargo xtask mapgrowth --go 1.19 --hint 100
//!     B right after make(map[int64]int64, 100): prints `B=4`
//! cargo xtask mapgrowth --go 1.19 --inserts 100000
//!     inserts distinct keys 0..100000 into make(map[int64]int64) and prints
//!     `count B` for the first insert and for each insert after which B
//!     changed (count = len(m) after that insert)
//! cargo xtask mapgrowth --go 1.27 --hint 100
//!     the swiss map right after make(map[int64]int64, 100): prints
//!     `dirLen=1 tables=1 total_capacity=128` (a map Go allocates nothing
//!     for, hint <= 8, prints `dirLen=0 tables=0 total_capacity=0`)
//! cargo xtask mapgrowth --go 1.27 --inserts 100000
//!     prints `count dirLen tables total_capacity` for the first insert and
//!     for each insert after which any of the three changed (a small map is
//!     `0 0 8`: one group, no table)
//! ```
//! `--go` takes 1.9 to 1.27 (default 1.27). Past the first split (count
//! 897) the swiss rows depend on the hash seed; the seed here is fixed, so
//! the output is reproducible. Bad arguments: one line on stderr, exit 2.

use std::io::Write;
use std::process::ExitCode;

use gomap::{GoVersion, HashMap, MapStats, RandomSeed};

use crate::cli::{parse_count, parse_go_release, to_stdout, usage_error, value_of};

const HELP: &str = "usage: cargo xtask mapgrowth [--go 1.N] (--hint N | --inserts N)";

#[derive(Debug, PartialEq)]
enum Query {
    /// `B` (or the swiss map's shape) after `make(map[int64]int64, hint)`.
    Hint(usize),
    /// `count B` (or `count dirLen tables total_capacity`) rows over this
    /// many inserts.
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

/// The swiss map's `dirLen tables total_capacity` (from one `stats()`: each
/// call walks the tables).
fn swiss_shape(m: &HashMap<i64, i64>) -> [usize; 3] {
    match m.stats() {
        MapStats::Swiss(s) => [s.dir_len, s.tables.len(), s.total_capacity],
        MapStats::Classic(_) => unreachable!("a classic map has no directory"),
    }
}

/// A row of `--inserts`: `(count, shape)`, the shape being `[dirLen,
/// tables, total_capacity]` for a swiss release and `[B, 0, 0]` for a
/// classic one.
pub(crate) type GrowthRow = (usize, [usize; 3]);

/// `--inserts n`'s rows: after the first insert and after every insert
/// that changed the shape.
pub(crate) fn growth_rows(version: GoVersion, n: usize) -> Vec<GrowthRow> {
    let mut m: HashMap<i64, i64> = HashMap::with_options(0, RandomSeed::fixed(0), version);
    let mut rows: Vec<GrowthRow> = Vec::new();
    for k in 0..n as i64 {
        m.insert(k, k);
        let shape = if version.is_swiss() {
            swiss_shape(&m)
        } else {
            [usize::from(m.b()), 0, 0]
        };
        if rows.last().is_none_or(|&(_, last)| last != shape) {
            rows.push((m.len(), shape));
        }
    }
    rows
}

fn answer(args: &Args, out: &mut impl Write) -> std::io::Result<()> {
    let swiss = args.version.is_swiss();
    match args.query {
        Query::Hint(hint) => {
            let m: HashMap<i64, i64> =
                HashMap::with_options(hint, RandomSeed::fixed(0), args.version);
            if swiss {
                let [dir_len, tables, capacity] = swiss_shape(&m);
                writeln!(
                    out,
                    "dirLen={dir_len} tables={tables} total_capacity={capacity}"
                )
            } else {
                writeln!(out, "B={}", m.b())
            }
        }
        Query::Inserts(n) => {
            for (count, shape) in growth_rows(args.version, n) {
                match shape {
                    [dir_len, tables, capacity] if swiss => {
                        writeln!(out, "{count} {dir_len} {tables} {capacity}")?;
                    }
                    [b, ..] => writeln!(out, "{count} {b}")?,
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
        assert_eq!(output("--go 1.23 --hint 0"), "B=0\n");
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
    fn swiss_hint_prints_the_directory_and_tables() {
        assert_eq!(
            output("--go 1.27 --hint 0"),
            "dirLen=0 tables=0 total_capacity=0\n"
        );
        assert_eq!(
            output("--go 1.27 --hint 8"),
            "dirLen=0 tables=0 total_capacity=0\n"
        );
        assert_eq!(
            output("--go 1.27 --hint 9"),
            "dirLen=1 tables=1 total_capacity=16\n"
        );
        assert_eq!(
            output("--hint 100"),
            "dirLen=1 tables=1 total_capacity=128\n"
        );
        assert_eq!(
            output("--go 1.24 --hint 2000"),
            "dirLen=4 tables=4 total_capacity=4096\n"
        );
    }

    #[test]
    fn swiss_inserts_print_each_shape_change() {
        let out = output("--go 1.27 --inserts 897");
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(rows[..3], ["1 0 0 8", "9 1 1 16", "15 1 1 32"]);
        assert_eq!(*rows.last().unwrap(), "897 2 2 2048");
        let long = output("--go 1.27 --inserts 100000");
        assert!(
            long.starts_with(&out),
            "a longer run begins with the shorter's rows"
        );
    }

    /// The rows of one of gomap's golden files from real Go.
    fn golden_rows(name: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../gomap/tests/golden")
            .join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Both queries answer as real Go does: every release's `make` for
    /// hints 0..=2000, and its inserts up to the first split (after it the
    /// rows depend on the seed).
    #[test]
    fn swiss_answers_match_real_go() {
        for minor in 24..=27 {
            for row in golden_rows(&format!("go1.{minor}_make_hint_swiss.txt")) {
                let f: Vec<&str> = row.split_whitespace().collect();
                let want = format!("dirLen={} tables={} total_capacity={}\n", f[1], f[2], f[3]);
                assert_eq!(
                    output(&format!("--go 1.{minor} --hint {}", f[0])),
                    want,
                    "go1.{minor}"
                );
            }
            let want = golden_rows(&format!("go1.{minor}_inserts_swiss.txt"));
            let ours = output(&format!("--go 1.{minor} --inserts 897"));
            assert_eq!(ours.lines().collect::<Vec<_>>(), want, "go1.{minor}");
        }
    }

    #[test]
    fn bad_arguments_are_rejected() {
        for bad in [
            "",
            "--go 1.8 --hint 1",
            "--go 1.28 --hint 1",
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
