//! `cargo xtask oracle [--go PATH]`: compare the models with a real Go
//! toolchain, live. Runs the golden-data generators checked in beside the
//! tests (`goslice/tests/golden/gen`, `gomap/tests/golden/gen` for the
//! classic map of Go 1.9–1.23, `gomap/tests/golden/gen_swiss` for the swiss
//! map of Go 1.24+) with the `go` on PATH (or `--go PATH`) and checks every
//! row against the model for that release. One line per comparison; exit 1
//! if any row differs.
//!
//! The toolchain is found as `go` finds itself: `go env GOVERSION GOROOT`
//! names its release and its installation (GOROOT), printed first.
//! Needs no network: both generators use only the standard library.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use gomap::{HashMap, RandomSeed};
use goslice::{ElemType, GoVersion, append_cap};

use crate::cli::{project_root, usage_error, value_of};

pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut go = PathBuf::from("go");
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--go" => match value_of(flag, &mut it) {
                Ok(path) => go = PathBuf::from(path),
                Err(e) => return usage_error(e),
            },
            other => {
                return usage_error(format!(
                    "unknown argument `{other}` (usage: cargo xtask oracle [--go PATH])"
                ));
            }
        }
    }
    let (release, goroot) = match go_release(&go) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("oracle: {release} ({}, GOROOT={goroot})", go.display());
    let mut failed = false;
    match release.parse::<GoVersion>() {
        Ok(v) => failed |= !report("slice growth", compare_slices(&go, v)),
        Err(_) => println!("skip slice growth: goslice models 1.9-1.27, not {release}"),
    }
    match release.parse::<gomap::GoVersion>() {
        Ok(v) if v.is_swiss() => {
            failed |= !report("swiss map make hint", compare_swiss_map(&go, v, "make"));
            failed |= !report("swiss map inserts", compare_swiss_map(&go, v, "inserts"));
        }
        Ok(v) => {
            failed |= !report("map make hint", compare_map(&go, v, "make"));
            failed |= !report("map inserts", compare_map(&go, v, "inserts"));
        }
        Err(_) => println!("skip map growth: gomap models Go 1.9-1.27, not {release}"),
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `go1.N` of the toolchain and its GOROOT (from `go env GOVERSION GOROOT`).
fn go_release(go: &Path) -> Result<(String, String), String> {
    let out = Command::new(go)
        .args(["env", "GOVERSION", "GOROOT"])
        .output()
        .map_err(|e| {
            format!(
                "cannot run `{}`: {e} (put go on PATH or pass --go)",
                go.display()
            )
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let version = lines.next().unwrap_or_default().trim();
    let goroot = lines.next().unwrap_or_default().trim().to_owned();
    let release: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
    if !out.status.success() || !release.starts_with("go1.") {
        return Err(format!(
            "`{} env GOVERSION GOROOT` said `{}`",
            go.display(),
            text.trim()
        ));
    }
    Ok((release, goroot))
}

/// `go run .` in a generator directory, offline, in a private cache.
fn run_generator(go: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    let cache = std::env::temp_dir().join("goruntime-oracle");
    let out = Command::new(go)
        .current_dir(dir)
        .arg("run")
        .arg(".")
        .args(args)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOCACHE", cache.join("cache"))
        .env("GOPATH", cache.join("path"))
        .output()
        .map_err(|e| format!("go run in {}: {e}", dir.display()))?;
    if !out.status.success() {
        return Err(format!(
            "go run in {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn rows(text: &str) -> impl Iterator<Item = Vec<usize>> + '_ {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            l.split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect()
        })
}

/// (rows compared, rows that differ with a first example).
type Outcome = Result<(usize, Vec<String>), String>;

fn compare_slices(go: &Path, v: GoVersion) -> Outcome {
    let text = run_generator(go, &project_root().join("goslice/tests/golden/gen"), &[])?;
    let mut n = 0;
    let mut wrong = Vec::new();
    for f in rows(&text) {
        let [size, pointers, old_len, old_cap, added, _new_len, new_cap] = f[..] else {
            return Err(format!("unexpected row {f:?}"));
        };
        n += 1;
        let elem = ElemType {
            size,
            pointers: pointers == 1,
        };
        let got = append_cap(v, elem, old_len, old_cap, added).map_err(|e| e.to_string());
        if got != Ok(new_cap) {
            wrong.push(format!("{f:?}: Go cap {new_cap}, model {got:?}"));
        }
    }
    Ok((n, wrong))
}

fn compare_map(go: &Path, v: gomap::GoVersion, mode: &str) -> Outcome {
    let text = run_generator(go, &project_root().join("gomap/tests/golden/gen"), &[mode])?;
    let golden: Vec<Vec<usize>> = rows(&text).collect();
    let mut wrong = Vec::new();
    if mode == "make" {
        for f in &golden {
            let m: HashMap<i64, i64> = HashMap::with_options(f[0], RandomSeed::fixed(0), v);
            if usize::from(m.b()) != f[1] {
                wrong.push(format!("hint {}: Go B={}, model B={}", f[0], f[1], m.b()));
            }
        }
    } else {
        let mut m: HashMap<i64, i64> = HashMap::with_options(0, RandomSeed::fixed(0), v);
        let mut model = Vec::new();
        let mut last_b = None;
        for k in 0..100_000i64 {
            m.insert(k, k);
            if last_b != Some(m.b()) {
                last_b = Some(m.b());
                model.push(vec![m.len(), usize::from(m.b())]);
            }
        }
        if model != golden {
            wrong.push(format!("Go `count B` rows {golden:?}, model {model:?}"));
        }
    }
    Ok((golden.len(), wrong))
}

/// The swiss map's `dirLen tables total_capacity`.
fn swiss_shape(m: &HashMap<i64, i64>) -> Vec<usize> {
    vec![m.dir_len(), m.tables().len(), m.total_capacity()]
}

/// Go 1.24+: `make` rows `hint dirLen tables total_capacity`, and insert
/// rows `count dirLen tables total_capacity` up to the first split (after
/// it the steps depend on the seed).
fn compare_swiss_map(go: &Path, v: gomap::GoVersion, mode: &str) -> Outcome {
    const FIRST_SPLIT: usize = 897;
    let args: &[&str] = if mode == "make" {
        &["make"]
    } else {
        &["inserts", "897"]
    };
    let text = run_generator(
        go,
        &project_root().join("gomap/tests/golden/gen_swiss"),
        args,
    )?;
    let golden: Vec<Vec<usize>> = rows(&text).collect();
    let mut wrong = Vec::new();
    if mode == "make" {
        for f in &golden {
            let m: HashMap<i64, i64> = HashMap::with_options(f[0], RandomSeed::fixed(0), v);
            if swiss_shape(&m) != f[1..] {
                wrong.push(format!(
                    "hint {}: Go {:?}, model {:?}",
                    f[0],
                    &f[1..],
                    swiss_shape(&m)
                ));
            }
        }
    } else {
        let mut m: HashMap<i64, i64> = HashMap::with_options(0, RandomSeed::fixed(0), v);
        let mut model: Vec<Vec<usize>> = Vec::new();
        for k in 0..FIRST_SPLIT as i64 {
            m.insert(k, k);
            let shape = swiss_shape(&m);
            if model.last().is_none_or(|r| r[1..] != shape) {
                model.push([vec![m.len()], shape].concat());
            }
        }
        if model != golden {
            wrong.push(format!(
                "Go `count dirLen tables total_capacity` rows {golden:?}, model {model:?}"
            ));
        }
    }
    Ok((golden.len(), wrong))
}

fn report(what: &str, outcome: Outcome) -> bool {
    match outcome {
        Ok((n, wrong)) if wrong.is_empty() && n > 0 => {
            println!("ok   {what}: {n} rows, all equal");
            true
        }
        Ok((n, wrong)) => {
            println!(
                "FAIL {what}: {} of {n} rows differ; first: {}",
                wrong.len(),
                wrong.first().map_or("none", String::as_str)
            );
            false
        }
        Err(e) => {
            println!("FAIL {what}: {e}");
            false
        }
    }
}
