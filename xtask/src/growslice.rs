//! `cargo xtask growslice`: what capacity Go's `append` produces, from
//! goslice's model. Output is one result per line and nothing else on stdout.
//!
//! ```text
//! cargo xtask growslice --go 1.19 --size 24 --pointers --upto 5000
//!     appends one element at a time to a nil slice until len 5000 and prints
//!     `len cap` after each append that changed cap
//! cargo xtask growslice --go 1.27 --size 8 --len 2 --cap 2 --add 3
//!     one append of 3 elements to a len 2 / cap 2 slice: prints `5 6`
//! ```
//! `--go` takes 1.9 to 1.27 (default: the newest), `--pointers` says the
//! element holds pointers (off by default). Bad arguments: one line on
//! stderr, exit 2. An append Go could not allocate prints Go's panic line on
//! stderr and exits 2, as the Go program would.

use std::io::Write;
use std::process::ExitCode;

use goslice::{ElemType, GoVersion, RuntimeError, append_cap};

use crate::cli::{parse_count, parse_go_release, to_stdout, usage_error, value_of};

const HELP: &str = "usage: cargo xtask growslice [--go 1.N] --size BYTES [--pointers] \
(--upto N | [--len L] [--cap C] --add K)";

#[derive(Debug, PartialEq)]
enum Query {
    /// Append one by one from a nil slice up to this length.
    Upto(usize),
    /// One append of `add` elements to a `len`/`cap` slice.
    Once { len: usize, cap: usize, add: usize },
}

#[derive(Debug, PartialEq)]
struct Args {
    version: GoVersion,
    elem: ElemType,
    query: Query,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut version = GoVersion::LATEST;
    let mut size = None;
    let mut pointers = false;
    let (mut upto, mut len, mut cap, mut add) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--go" => version = parse_go_release(value_of(flag, &mut it)?)?,
            "--size" => size = Some(parse_count(flag, value_of(flag, &mut it)?)?),
            "--pointers" => pointers = true,
            "--upto" => upto = Some(parse_count(flag, value_of(flag, &mut it)?)?),
            "--len" => len = Some(parse_count(flag, value_of(flag, &mut it)?)?),
            "--cap" => cap = Some(parse_count(flag, value_of(flag, &mut it)?)?),
            "--add" => add = Some(parse_count(flag, value_of(flag, &mut it)?)?),
            "-h" | "--help" => return Err(HELP.to_owned()),
            other => return Err(format!("unknown argument `{other}` ({HELP})")),
        }
    }
    let size = size.ok_or("--size BYTES is required (the element size)")?;
    let query = match (upto, add) {
        (Some(_), Some(_)) => return Err("give either --upto or --add, not both".into()),
        (Some(_), _) if len.is_some() || cap.is_some() => {
            return Err("--upto starts from a nil slice: drop --len/--cap".into());
        }
        (Some(n), None) => Query::Upto(n),
        (None, Some(add)) => {
            let len = len.unwrap_or(0);
            let cap = cap.unwrap_or(len);
            if cap < len {
                return Err(format!("--cap {cap} is less than --len {len}"));
            }
            Query::Once { len, cap, add }
        }
        (None, None) => return Err(format!("nothing to ask: give --upto or --add ({HELP})")),
    };
    Ok(Args {
        version,
        elem: ElemType { size, pointers },
        query,
    })
}

/// The `len cap` lines the query prints.
fn answer(args: &Args, out: &mut impl Write) -> std::io::Result<Result<(), RuntimeError>> {
    match args.query {
        Query::Once { len, cap, add } => match append_cap(args.version, args.elem, len, cap, add) {
            Ok(new_cap) => writeln!(out, "{} {new_cap}", len + add).map(Ok),
            Err(e) => Ok(Err(e)),
        },
        Query::Upto(upto) => match regrowths(args.version, args.elem, upto) {
            Ok(steps) => {
                for (len, cap) in steps {
                    writeln!(out, "{len} {cap}")?;
                }
                Ok(Ok(()))
            }
            Err(e) => Ok(Err(e)),
        },
    }
}

/// `(len, cap)` after each regrowth while appending one element at a time
/// to a nil slice, up to `upto` elements.
pub(crate) fn regrowths(
    version: GoVersion,
    elem: ElemType,
    upto: usize,
) -> Result<Vec<(usize, usize)>, RuntimeError> {
    let mut steps = Vec::new();
    let mut cap = 0;
    for len in 0..upto {
        let new_cap = append_cap(version, elem, len, cap, 1)?;
        if new_cap != cap {
            cap = new_cap;
            steps.push((len + 1, cap));
        }
    }
    Ok(steps)
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(args) => args,
        Err(msg) => return usage_error(msg),
    };
    match to_stdout(|out| answer(&args, out)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(panic)) => {
            // What the Go program would print before exiting with status 2.
            eprintln!("panic: {panic}");
            ExitCode::from(2)
        }
        Err(code) => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::words;

    fn lines(s: &str) -> String {
        let parsed = parse(&words(s)).unwrap();
        let mut out = Vec::new();
        answer(&parsed, &mut out).unwrap().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_append_prints_len_and_cap() {
        assert_eq!(lines("--go 1.27 --size 8 --len 2 --cap 2 --add 3"), "5 6\n");
    }

    #[test]
    fn upto_prints_each_capacity_change() {
        let out = lines("--go 1.19 --size 24 --pointers --upto 5000");
        let rows: Vec<(usize, usize)> = out
            .lines()
            .map(|l| {
                let (a, b) = l.split_once(' ').unwrap();
                (a.parse().unwrap(), b.parse().unwrap())
            })
            .collect();
        assert_eq!(rows[0], (1, 1));
        assert!(
            rows.windows(2)
                .all(|w| w[0].1 < w[1].1 && w[1].0 == w[0].1 + 1)
        );
        assert!(rows.last().unwrap().1 >= 5000);
    }

    #[test]
    fn bad_arguments_are_rejected() {
        for bad in [
            "--go 1.8 --size 8 --add 1",
            "--go 1.28 --size 8 --add 1",
            "--go 2.0 --size 8 --add 1",
            "--size 8",
            "--add 1",
            "--size x --add 1",
            "--size 8 --add 1 --upto 3",
            "--size 8 --len 3 --cap 2 --add 1",
            "--size 8 --add",
            "--frobnicate",
        ] {
            assert!(parse(&words(bad)).is_err(), "{bad} was accepted");
        }
    }
}
