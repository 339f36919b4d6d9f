//! `cargo xtask measure [parked|gc-pause|binarytrees|all]`: the figures the
//! crates measure with their own programs rather than criterion, each
//! program beside its Go twin where it has one.
//!
//! - `parked`: a parked goroutine's resident memory, gosched's
//!   `examples/parked.rs` beside `gosched/benches/go/parked/main.go` and
//!   OS threads (`examples/parked_threads.rs`), spawn time per goroutine
//!   (`examples/spawn.rs` beside `benches/go/spawn/main.go`) and a switch
//!   between two goroutines on one P (`examples/yield.rs` beside
//!   `benches/go/yield/main.go`);
//! - `gc-pause`: gogc's `examples/stw.rs`, the longest stop-the-world pause
//!   of a cycle against the number of goroutine stacks, per sound barrier
//!   (why Go 1.8 took the hybrid barrier, proposal 17503);
//! - `binarytrees`: gogc's `examples/binarytrees` (1 and 2 Ps, and `Box`)
//!   beside `gogc/benches/go/binarytrees.go` (1 and 2 Ps), per depth.
//!
//! Programs are built in release (Go's with `go build`), then run in
//! rounds, ours and Go's alternately within each round so both see the
//! same load; each point is the median of its rounds. Go's twins are left
//! out, with a note, when `go` is not on PATH. Each figure's results go to
//! `target/measured/NAME.tsv` with the command, machine, load average at
//! the start and UTC date; `cargo xtask report --plots` draws them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Instant, SystemTime};

use gogc::Barrier;

use crate::cli::{parse_count, project_root, usage_error, value_of};
use crate::provenance::{loadavg, machine, utc};

const HELP: &str = "usage: cargo xtask measure [parked|gc-pause|binarytrees|all] \
[--rounds N] [--quick] [--out DIR]
  --rounds N  runs per point, alternating ours and Go's (default 3; medians)
  --quick     small sizes, to check the programs run (seconds, not minutes)
  --out DIR   where the results go (default target/measured)";

/// What the environment must not change between runs: the collectors'
/// knobs (set per series where a series needs them) and logging.
const CLEARED_ENV: [&str; 5] = ["GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS", "RUST_LOG"];

/// One measured figure: its programs and how one round runs them.
pub(crate) struct Measure {
    pub(crate) name: &'static str,
    /// Our programs: examples of one package.
    package: &'static str,
    examples: &'static [&'static str],
    /// Go's twins: `(binary name, directory from the root, file)`.
    twins: &'static [(&'static str, &'static str, &'static str)],
    plan: fn(&Sizes) -> Vec<Run>,
}

pub(crate) const MEASURES: [Measure; 3] = [
    Measure {
        name: "parked",
        package: "gosched",
        examples: &["parked", "parked_threads", "spawn", "yield"],
        twins: &[
            ("parked", "gosched/benches/go/parked", "main.go"),
            ("spawn", "gosched/benches/go/spawn", "main.go"),
            ("yield", "gosched/benches/go/yield", "main.go"),
        ],
        plan: plan_parked,
    },
    Measure {
        name: "gc-pause",
        package: "gogc",
        examples: &["stw"],
        twins: &[],
        plan: plan_gc_pause,
    },
    Measure {
        name: "binarytrees",
        package: "gogc",
        examples: &["binarytrees"],
        twins: &[("binarytrees", "gogc/benches/go", "binarytrees.go")],
        plan: plan_binarytrees,
    },
];

/// The sizes each figure runs at.
struct Sizes {
    stacks: &'static [u64],
    depths: &'static [u64],
    parked: &'static [u64],
    threads: &'static [u64],
    spawned: &'static [u64],
    switches: &'static [u64],
}

/// About a minute for `gc-pause` and `parked` together, two to three for
/// `binarytrees` on an idle 2-core machine (3 rounds).
const FULL: Sizes = Sizes {
    stacks: &[10, 100, 1_000, 10_000, 100_000, 1_000_000],
    depths: &[14, 15, 16, 17, 18],
    parked: &[1_000, 10_000, 100_000],
    // `vm.max_map_count` caps OS threads in the tens of thousands.
    threads: &[100, 1_000, 10_000],
    spawned: &[10_000, 100_000, 1_000_000],
    switches: &[100_000, 1_000_000],
};

const QUICK: Sizes = Sizes {
    stacks: &[10, 1_000],
    depths: &[10, 12],
    parked: &[1_000, 10_000],
    threads: &[100, 1_000],
    spawned: &[10_000, 100_000],
    switches: &[10_000],
};

/// A program: one of our examples or one of Go's twins.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bin {
    Ours(&'static str),
    Go(&'static str),
}

/// One program run, which gives one value of one point.
#[derive(Debug)]
struct Run {
    /// The figure's quantity this run measures (a figure may plot two).
    quantity: &'static str,
    series: String,
    x: u64,
    bin: Bin,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    /// The `key=value` of the program's output line that is the result.
    key: &'static str,
}

fn run_of(quantity: &'static str, series: &str, x: u64, bin: Bin, key: &'static str) -> Run {
    Run {
        quantity,
        series: series.to_owned(),
        x,
        bin,
        args: vec![x.to_string()],
        env: Vec::new(),
        key,
    }
}

fn plan_gc_pause(sizes: &Sizes) -> Vec<Run> {
    let mut runs = Vec::new();
    for &stacks in sizes.stacks {
        for barrier in Barrier::SOUND {
            let mut run = run_of(
                "max_stw_us",
                barrier.name(),
                stacks,
                Bin::Ours("stw"),
                "max_stw_us",
            );
            run.args = ["--barrier", barrier.name(), "--stacks", &stacks.to_string()]
                .map(String::from)
                .to_vec();
            runs.push(run);
        }
    }
    runs
}

fn plan_binarytrees(sizes: &Sizes) -> Vec<Run> {
    let mut runs = Vec::new();
    for &depth in sizes.depths {
        for procs in [1, 2] {
            for (series, bin) in [
                (format!("gogc {procs} P"), Bin::Ours("binarytrees")),
                (format!("Go {procs} P"), Bin::Go("binarytrees")),
            ] {
                let mut run = run_of("ms", &series, depth, bin, "ms");
                run.env.push(("GOMAXPROCS", procs.to_string()));
                runs.push(run);
            }
        }
        let mut run = run_of("ms", "Box", depth, Bin::Ours("binarytrees"), "ms");
        run.args.extend(["--with".to_owned(), "box".to_owned()]);
        runs.push(run);
    }
    runs
}

fn plan_parked(sizes: &Sizes) -> Vec<Run> {
    // gosched's example, then Go's twin of the same name.
    let ours_then_go = |quantity, program, n, key| {
        [
            run_of(quantity, "gosched", n, Bin::Ours(program), key),
            run_of(quantity, "Go", n, Bin::Go(program), key),
        ]
    };
    let mut runs = Vec::new();
    for &n in sizes.parked {
        runs.extend(ours_then_go(
            "rss_bytes",
            "parked",
            n,
            "rss_bytes_per_goroutine",
        ));
    }
    for &n in sizes.threads {
        let bin = Bin::Ours("parked_threads");
        runs.push(run_of(
            "rss_bytes",
            "std::thread",
            n,
            bin,
            "rss_bytes_per_thread",
        ));
    }
    for &n in sizes.spawned {
        runs.extend(ours_then_go("spawn_ns", "spawn", n, "ns_per_goroutine"));
    }
    for &n in sizes.switches {
        runs.extend(ours_then_go("switch_ns", "yield", n, "ns_per_switch"));
    }
    runs
}

/// The results directory: `target/measured` (`CARGO_TARGET_DIR` honoured).
pub(crate) fn default_dir() -> PathBuf {
    target_dir().join("measured")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"))
}

struct Options {
    selected: Vec<&'static Measure>,
    rounds: usize,
    quick: bool,
    out: PathBuf,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        selected: Vec::new(),
        rounds: 3,
        quick: false,
        out: default_dir(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rounds" => options.rounds = parse_count(arg, value_of(arg, &mut it)?)?.max(1),
            "--quick" => options.quick = true,
            "--out" => options.out = PathBuf::from(value_of(arg, &mut it)?),
            "-h" | "--help" => return Err(HELP.to_owned()),
            "all" => options.selected.extend(MEASURES.iter()),
            name => match MEASURES.iter().find(|m| m.name == name) {
                Some(m) => options.selected.push(m),
                None => return Err(format!("unknown argument `{name}`\n{HELP}")),
            },
        }
    }
    if options.selected.is_empty() {
        return Err(format!("name a figure or `all`\n{HELP}"));
    }
    Ok(options)
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let options = match parse(args) {
        Ok(options) => options,
        Err(e) => return usage_error(e),
    };
    crate::idle::warn_if_busy(std::time::Duration::from_millis(300));
    let go = go_version();
    if go.is_none() {
        eprintln!("note: `go` is not on PATH: Go's twins are skipped");
    }
    for &measure in &options.selected {
        match measure_one(measure, &options, go.as_deref()) {
            Ok(path) => println!("{}", path.display()),
            Err(e) => {
                eprintln!("error: measure {}: {e}", measure.name);
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// `go version`'s line, or `None` without a working `go`.
fn go_version() -> Option<String> {
    let out = Command::new("go").arg("version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Builds, runs and records one figure; returns the file written.
fn measure_one(measure: &Measure, options: &Options, go: Option<&str>) -> Result<PathBuf, String> {
    let go_dir = options.out.join("go");
    build(measure, go.is_some().then_some(go_dir.as_path()))?;
    let sizes = if options.quick { &QUICK } else { &FULL };
    let plan: Vec<Run> = (measure.plan)(sizes)
        .into_iter()
        .filter(|r| go.is_some() || !matches!(r.bin, Bin::Go(_)))
        .collect();
    let mut command = format!("cargo xtask measure {}", measure.name);
    if options.quick {
        command.push_str(" --quick");
    }
    if options.rounds != 3 {
        let _ = write!(command, " --rounds {}", options.rounds);
    }
    let mut measured = Measured {
        command,
        machine: machine(),
        load: loadavg(),
        when: utc(SystemTime::now()),
        go: match go {
            _ if measure.twins.is_empty() => "no twin".to_owned(),
            Some(version) => version.to_owned(),
            None => "not on PATH, its twins skipped".to_owned(),
        },
        took: String::new(),
        points: Vec::new(),
    };
    let started = Instant::now();
    let examples = target_dir().join("release").join("examples");
    let mut values = vec![Vec::with_capacity(options.rounds); plan.len()];
    for round in 1..=options.rounds {
        for (run, values) in plan.iter().zip(&mut values) {
            let path = match run.bin {
                Bin::Ours(name) => examples.join(name),
                Bin::Go(name) => go_dir.join(name),
            };
            let value = run_once(&path, run)?;
            let env: String = run.env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
            eprintln!(
                "measure {} {round}/{} {}: {env}{} {} -> {}={value}",
                measure.name,
                options.rounds,
                run.series,
                path.file_name().unwrap_or_default().to_string_lossy(),
                run.args.join(" "),
                run.key
            );
            values.push(value);
        }
    }
    measured.took = format!("{:.0} s", started.elapsed().as_secs_f64());
    measured.points = plan
        .iter()
        .zip(values)
        .map(|(run, runs)| Point {
            quantity: run.quantity.to_owned(),
            series: run.series.clone(),
            x: run.x as f64,
            median: median(&runs),
            runs,
        })
        .collect();
    std::fs::create_dir_all(&options.out).map_err(|e| format!("{}: {e}", options.out.display()))?;
    let path = options.out.join(format!("{}.tsv", measure.name));
    std::fs::write(&path, measured.render()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// `cargo build --release` of our programs; `go build` of the twins into
/// `go_dir` when there is a `go`.
fn build(measure: &Measure, go_dir: Option<&Path>) -> Result<(), String> {
    let mut cargo = Command::new(env!("CARGO"));
    cargo.current_dir(project_root()).args([
        "build",
        "--release",
        "--quiet",
        "-p",
        measure.package,
    ]);
    for example in measure.examples {
        cargo.args(["--example", example]);
    }
    check(cargo.status(), "cargo build")?;
    let Some(go_dir) = go_dir else {
        return Ok(());
    };
    std::fs::create_dir_all(go_dir).map_err(|e| format!("{}: {e}", go_dir.display()))?;
    for (name, dir, file) in measure.twins {
        let status = Command::new("go")
            .current_dir(project_root().join(dir))
            .arg("build")
            .arg("-o")
            .arg(go_dir.join(name))
            .arg(file)
            .status();
        check(status, &format!("go build {dir}/{file}"))?;
    }
    Ok(())
}

fn check(status: std::io::Result<std::process::ExitStatus>, what: &str) -> Result<(), String> {
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what} failed: {s}")),
        Err(e) => Err(format!("could not run {what}: {e}")),
    }
}

/// Runs `path` as `run` says and reads its result.
fn run_once(path: &Path, run: &Run) -> Result<f64, String> {
    let mut command = Command::new(path);
    for var in CLEARED_ENV {
        command.env_remove(var);
    }
    let out = command
        .args(&run.args)
        .envs(run.env.iter().map(|(k, v)| (k, v)))
        .output()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{} {}: {}\n{}",
            path.display(),
            run.args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    reading(&stdout, run.key).ok_or_else(|| {
        format!(
            "{} {}: no `{}=` in its output:\n{stdout}",
            path.display(),
            run.args.join(" "),
            run.key
        )
    })
}

/// The value of `key=value` on the last output line that has it (the
/// programs end with their one-line result, after whatever else they print).
fn reading(stdout: &str, key: &str) -> Option<f64> {
    stdout.lines().rev().find_map(|line| {
        line.split_whitespace()
            .filter_map(|word| word.split_once('='))
            .find(|&(k, _)| k == key)
            .and_then(|(_, v)| v.parse().ok())
    })
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// One figure's results, as `target/measured/NAME.tsv` holds them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measured {
    pub(crate) command: String,
    pub(crate) machine: String,
    /// Load average when the measuring began.
    pub(crate) load: String,
    pub(crate) when: String,
    /// `go version`'s line, or why Go's twins are missing.
    pub(crate) go: String,
    pub(crate) took: String,
    pub(crate) points: Vec<Point>,
}

/// One point of one series: the median of its runs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Point {
    pub(crate) quantity: String,
    pub(crate) series: String,
    pub(crate) x: f64,
    pub(crate) median: f64,
    pub(crate) runs: Vec<f64>,
}

const HEADER: [&str; 6] = ["command", "machine", "load", "when", "go", "took"];

impl Measured {
    /// `# key: value` lines, then a tab-separated row per point.
    fn render(&self) -> String {
        let mut text = String::new();
        for (key, value) in HEADER.iter().zip(self.header()) {
            let _ = writeln!(text, "# {key}: {value}");
        }
        text.push_str("quantity\tseries\tx\tmedian\truns\n");
        for p in &self.points {
            let runs: Vec<String> = p.runs.iter().map(f64::to_string).collect();
            let _ = writeln!(
                text,
                "{}\t{}\t{}\t{}\t{}",
                p.quantity,
                p.series,
                p.x,
                p.median,
                runs.join(" ")
            );
        }
        text
    }

    fn header(&self) -> [&String; 6] {
        [
            &self.command,
            &self.machine,
            &self.load,
            &self.when,
            &self.go,
            &self.took,
        ]
    }

    fn parse(text: &str) -> Result<Measured, String> {
        let mut header: [String; 6] = Default::default();
        let mut points = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let bad = || format!("line {}: `{line}`", i + 1);
            if let Some(field) = line.strip_prefix("# ") {
                let (key, value) = field.split_once(": ").ok_or_else(bad)?;
                let at = HEADER.iter().position(|&k| k == key).ok_or_else(bad)?;
                header[at] = value.to_owned();
                continue;
            }
            if line.starts_with("quantity\t") || line.is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let [quantity, series, x, median, runs] = cols[..] else {
                return Err(bad());
            };
            let number = |t: &str| t.parse::<f64>().map_err(|_| bad());
            points.push(Point {
                quantity: quantity.to_owned(),
                series: series.to_owned(),
                x: number(x)?,
                median: number(median)?,
                runs: runs.split(' ').map(number).collect::<Result<_, _>>()?,
            });
        }
        let [command, machine, load, when, go, took] = header;
        Ok(Measured {
            command,
            machine,
            load,
            when,
            go,
            took,
            points,
        })
    }

    /// The series of `quantity`, in the order they were run, each with its
    /// `(x, median)` points by increasing x.
    pub(crate) fn series(&self, quantity: &str) -> Vec<(&str, Vec<(f64, f64)>)> {
        let mut series: Vec<(&str, Vec<(f64, f64)>)> = Vec::new();
        for p in self.points.iter().filter(|p| p.quantity == quantity) {
            match series.iter_mut().find(|(name, _)| *name == p.series) {
                Some((_, points)) => points.push((p.x, p.median)),
                None => series.push((&p.series, vec![(p.x, p.median)])),
            }
        }
        for (_, points) in &mut series {
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        series
    }
}

/// The results of figure `name` under `dir`: `None` if never measured.
pub(crate) fn read(dir: &Path, name: &str) -> Option<Result<Measured, String>> {
    let path = dir.join(format!("{name}.tsv"));
    let text = std::fs::read_to_string(&path).ok()?;
    Some(Measured::parse(&text).map_err(|e| format!("{}: {e}", path.display())))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cli::words;

    #[test]
    fn reads_each_program_s_result_line() {
        // The programs' own last lines, as they print them.
        let stw = "barrier=dijkstra stacks=100000 max_stw_us=3099.7\n";
        assert_eq!(reading(stw, "max_stw_us"), Some(3099.7));
        let binarytrees = "stretch tree of depth 11\t check: 4095\n\
                           1024\t trees of depth 4\t check: 31744\n\
                           long lived tree of depth 10\t check: 2047\n\
                           depth=10 ms=12\n";
        assert_eq!(reading(binarytrees, "ms"), Some(12.0));
        let parked = "goroutines=100000 rss_bytes_per_goroutine=4410\n";
        assert_eq!(reading(parked, "rss_bytes_per_goroutine"), Some(4410.0));
        let threads = "threads=1000 rss_bytes_per_thread=9921\n";
        assert_eq!(reading(threads, "rss_bytes_per_thread"), Some(9921.0));
        let spawn = "goroutines=1000000 ns_per_goroutine=954\n";
        assert_eq!(reading(spawn, "ns_per_goroutine"), Some(954.0));
        // A key must match whole, and the last line that has it wins.
        assert_eq!(reading("max_ms=3\n", "ms"), None);
        assert_eq!(reading("ms=1\nms=2\nother=3\n", "ms"), Some(2.0));
        assert_eq!(reading("ms=fast\n", "ms"), None);
    }

    #[test]
    fn medians_of_odd_and_even_rounds() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn arguments_name_figures_or_all() {
        let o = parse(&words("gc-pause --rounds 5 --quick")).unwrap();
        let names: Vec<_> = o.selected.iter().map(|m| m.name).collect();
        assert_eq!((names, o.rounds, o.quick), (vec!["gc-pause"], 5, true));
        let o = parse(&words("all")).unwrap();
        assert_eq!(o.selected.len(), MEASURES.len());
        assert!(parse(&[]).is_err());
        let unknown = parse(&words("gc")).err().unwrap();
        assert!(unknown.contains("unknown argument `gc`"), "{unknown}");
    }

    #[test]
    fn every_figure_alternates_ours_and_go_s_twin_at_each_size() {
        for m in &MEASURES {
            let plan = (m.plan)(&FULL);
            assert!(!plan.is_empty(), "{}", m.name);
            for run in &plan {
                match run.bin {
                    Bin::Ours(e) => assert!(m.examples.contains(&e), "{}: {e}", m.name),
                    Bin::Go(t) => assert!(m.twins.iter().any(|tw| tw.0 == t), "{}: {t}", m.name),
                }
                assert!(run.args.contains(&run.x.to_string()), "{run:?}");
            }
            for (name, dir, file) in m.twins {
                assert!(project_root().join(dir).join(file).is_file(), "{name}");
                // Each twin runs right after one of ours at the same size.
                let at = plan.iter().position(|r| r.bin == Bin::Go(name)).unwrap();
                assert!(at > 0 && matches!(plan[at - 1].bin, Bin::Ours(_)));
                assert_eq!(plan[at - 1].x, plan[at].x);
            }
        }
        let gc = plan_gc_pause(&FULL);
        assert_eq!(gc.len(), FULL.stacks.len() * Barrier::SOUND.len());
    }

    /// A file as `measure` writes it, for the report's tests.
    pub(crate) fn sample(name: &str) -> Measured {
        let plan = MEASURES.iter().find(|m| m.name == name).unwrap().plan;
        Measured {
            command: format!("cargo xtask measure {name}"),
            machine: "testhost (Test CPU, 2 cores)".to_owned(),
            load: "0.10 0.20 0.30".to_owned(),
            when: "2026-11-29 13:00 UTC".to_owned(),
            go: "go version go1.27.3 linux/amd64".to_owned(),
            took: "1 s".to_owned(),
            points: plan(&FULL)
                .into_iter()
                .enumerate()
                .map(|(i, run)| Point {
                    quantity: run.quantity.to_owned(),
                    series: run.series,
                    x: run.x as f64,
                    median: (i + 1) as f64 * 1.5,
                    runs: vec![(i + 1) as f64 * 1.5; 3],
                })
                .collect(),
        }
    }

    /// Writes `sample(name)` under `dir` as `measure` would.
    pub(crate) fn write_sample(dir: &Path, name: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.tsv")), sample(name).render()).unwrap();
    }

    #[test]
    fn the_file_reads_back_as_written() {
        let m = sample("parked");
        let back = Measured::parse(&m.render()).unwrap();
        assert_eq!(back, m);
        let memory = back.series("rss_bytes");
        let names: Vec<_> = memory.iter().map(|s| s.0).collect();
        assert_eq!(names, ["gosched", "Go", "std::thread"]);
        assert_eq!(memory[2].1.len(), FULL.threads.len());
        assert!(memory[0].1.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(back.series("spawn_ns").len(), 2);
        let switch = back.series("switch_ns");
        let names: Vec<_> = switch.iter().map(|s| s.0).collect();
        assert_eq!(names, ["gosched", "Go"]);
        assert!(Measured::parse("# colour: blue\n").is_err());
        assert!(Measured::parse("ms\tgogc\t14\n").is_err());
    }
}
