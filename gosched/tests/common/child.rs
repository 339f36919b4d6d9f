//! Child processes for tests where the process must die: the test binary
//! re-run with one `#[ignore]`d child scenario, and what to read from its
//! stderr.

use std::process::{Command, Output};

use super::shape::shape;

pub(crate) fn child(name: &str, envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--ignored",
        "--exact",
        name,
        "--nocapture",
        "--test-threads=1",
    ]);
    cmd.env_remove("RUST_BACKTRACE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The child's report on stderr: from its first line that starts one
/// (libtest's own lines around it dropped).
pub(crate) fn report_of(err: &str) -> &str {
    let start = [
        "panic: ",
        "fatal error: ",
        "runtime: goroutine stack exceeds",
    ]
    .iter()
    .filter_map(|p| err.find(p))
    .min()
    .unwrap_or_else(|| panic!("no report in {err}"));
    let rest = &err[start..];
    // A report ends where libtest or the next output begins.
    let end = rest
        .find("\nstack backtrace:")
        .or_else(|| rest.find("\nrunning "))
        .map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// Go's report for a golden scenario, as its shape, without the final
/// `exit status N` line.
pub(crate) fn go_shape(golden: &str) -> Vec<String> {
    let mut s = shape(golden);
    let status = s.pop().unwrap();
    assert!(status.starts_with("exit status "), "{status}");
    s
}
