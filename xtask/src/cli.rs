//! Small helpers shared by the subcommands: the project root, argument
//! parsing, and the one-line error convention of the query commands.

use std::io::{BufWriter, StdoutLock, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The workspace root (the parent of `xtask/`).
pub(crate) fn project_root() -> PathBuf {
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("xtask"));
    dir.parent().map(PathBuf::from).unwrap_or(dir)
}

/// Query commands report bad arguments as one line on stderr and exit 2.
pub(crate) fn usage_error(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

/// Parses `--go`'s value with the crate's own `GoVersion` parser (goslice's
/// and gomap's accept the same forms, `1.N` and `go1.N`, each within the
/// releases its crate models).
pub(crate) fn parse_go_release<V>(text: &str) -> Result<V, String>
where
    V: std::str::FromStr,
    V::Err: std::fmt::Display,
{
    text.parse().map_err(|e| format!("--go: {e}"))
}

/// Takes the value that follows a `--flag`.
pub(crate) fn value_of<'a>(
    flag: &str,
    it: &mut impl Iterator<Item = &'a String>,
) -> Result<&'a str, String> {
    it.next()
        .map(String::as_str)
        .ok_or_else(|| format!("{flag} needs a value"))
}

/// Parses a non-negative integer argument.
pub(crate) fn parse_count(flag: &str, text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .map_err(|_| format!("{flag} takes a non-negative integer, not `{text}`"))
}

/// Runs a query's `answer` against buffered stdout (the queries print many
/// lines) and flushes it; a write error is reported and fails the command.
pub(crate) fn to_stdout<T>(
    answer: impl FnOnce(&mut BufWriter<StdoutLock<'static>>) -> std::io::Result<T>,
) -> Result<T, ExitCode> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    answer(&mut out)
        .and_then(|value| out.flush().map(|()| value))
        .map_err(|e| {
            eprintln!("error: writing the answer: {e}");
            ExitCode::FAILURE
        })
}

/// Splits a command line for the query commands' tests.
#[cfg(test)]
pub(crate) fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(String::from).collect()
}
