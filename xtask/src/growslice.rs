//! `cargo xtask growslice`: placeholder until goslice's growth model lands.
use std::process::ExitCode;

pub(crate) fn run(_args: &[String]) -> ExitCode {
    crate::cli::usage_error("growslice is not built yet")
}
