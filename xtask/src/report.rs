//! `cargo xtask report [TOPIC] [--dir PATH]`: the tables the crate READMEs
//! quote, read back from criterion's output of `cargo xtask bench`.
//! `--plots [--docs DIR] [--measured DIR]` draws the figures of
//! `docs/report.md` instead (`plots.rs`), from criterion's results and
//! those of `cargo xtask measure` (`target/measured`).
//!
//! Every criterion benchmark leaves `new/benchmark.json` (its group,
//! function and parameter, and the throughput it declared) and
//! `new/estimates.json` (the mean) under `target/criterion`. A topic's rows
//! are the groups in which one of its own functions ran; rows appear in the
//! order they were measured, columns in the order functions first appeared.
//! Times are per element when the bench declared a throughput (per message,
//! per insert), else per iteration. The last two columns are the ratio of
//! the topic's first function to its first peer present in that row, and
//! that ratio drawn as a bar (eight blocks to 1×).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use crate::bench::{Topic, select_topics};
use crate::cli::{project_root, usage_error};
use crate::json::Json;

/// One measured benchmark.
#[derive(Debug, Clone)]
pub(crate) struct Measurement {
    pub(crate) group: String,
    pub(crate) function: String,
    pub(crate) param: String,
    /// Mean time per element (or per iteration), in nanoseconds.
    pub(crate) ns: f64,
    /// When its estimate was written: the run order.
    pub(crate) when: SystemTime,
}

pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut dir = None;
    let mut topic = None;
    let mut plots = false;
    let mut docs = project_root().join("docs");
    let mut measured = crate::measure::default_dir();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dir" => match crate::cli::value_of("--dir", &mut it) {
                Ok(v) => dir = Some(PathBuf::from(v)),
                Err(e) => return usage_error(e),
            },
            "--plots" => plots = true,
            "--docs" => match crate::cli::value_of("--docs", &mut it) {
                Ok(v) => docs = PathBuf::from(v),
                Err(e) => return usage_error(e),
            },
            "--measured" => match crate::cli::value_of("--measured", &mut it) {
                Ok(v) => measured = PathBuf::from(v),
                Err(e) => return usage_error(e),
            },
            name if topic.is_none() && !name.starts_with('-') => topic = Some(name.to_owned()),
            other => return usage_error(format!("unexpected argument `{other}`")),
        }
    }
    let topics = match select_topics(topic.as_deref()) {
        Ok(topics) => topics,
        Err(e) => return usage_error(e),
    };
    let dir = dir.unwrap_or_else(default_dir);
    if plots {
        return match crate::plots::write_all(&dir, &measured, &docs) {
            Ok(files) => {
                for file in files {
                    println!("{}", docs.join(file).display());
                }
                println!("{}", docs.join("report.md").display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let all = match collect(&dir) {
        Ok(all) => all,
        Err(e) => return usage_error(format!("{}: {e}", dir.display())),
    };
    let mut printed = false;
    for t in topics {
        if let Some(table) = table(t, &all) {
            println!("{table}");
            printed = true;
        }
    }
    if !printed {
        return usage_error(format!(
            "no results for that topic under {} (run `cargo xtask bench` first)",
            dir.display()
        ));
    }
    ExitCode::SUCCESS
}

/// `$CARGO_TARGET_DIR/criterion`, else `target/criterion` in the workspace.
pub(crate) fn default_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"))
        .join("criterion")
}

/// Every `*/new/benchmark.json` under `dir` with its mean.
pub(crate) fn collect(dir: &Path) -> Result<Vec<Measurement>, String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| e.to_string())?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                // Criterion's `base` is the previous run, `report` is HTML.
                let name = entry.file_name();
                if name != "base" && name != "report" {
                    stack.push(path);
                }
            } else if path.ends_with("new/benchmark.json") {
                if let Some(m) = read_one(&path) {
                    found.push(m);
                }
            }
        }
    }
    Ok(found)
}

fn read_one(bench_json: &Path) -> Option<Measurement> {
    let bench = Json::parse(&std::fs::read_to_string(bench_json).ok()?).ok()?;
    let est_path = bench_json.with_file_name("estimates.json");
    let est = Json::parse(&std::fs::read_to_string(&est_path).ok()?).ok()?;
    let mean = est.at(&["mean", "point_estimate"])?.as_f64()?;
    let per = ["Elements", "Bytes"]
        .iter()
        .find_map(|k| bench.at(&["throughput", k])?.as_f64())
        .filter(|n| *n > 0.0)
        .unwrap_or(1.0);
    Some(Measurement {
        group: bench.get("group_id")?.as_str()?.to_owned(),
        function: bench.get("function_id")?.as_str()?.to_owned(),
        param: bench
            .get("value_str")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned(),
        ns: mean / per,
        when: std::fs::metadata(&est_path)
            .and_then(|m| m.modified())
            .ok()?,
    })
}

/// A topic's rows: each `(group, param)` in which one of its own functions
/// ran, with every measurement of that row, in the order they were run.
pub(crate) type TopicRow<'a> = ((&'a str, &'a str), Vec<&'a Measurement>);

pub(crate) fn topic_rows<'a>(topic: &Topic, all: &'a [Measurement]) -> Vec<TopicRow<'a>> {
    let mut rows: BTreeMap<(&str, &str), Vec<&Measurement>> = BTreeMap::new();
    for m in all {
        rows.entry((&m.group, &m.param)).or_default().push(m);
    }
    rows.retain(|_, ms| ms.iter().any(|m| m.function.starts_with(topic.ours)));
    let mut ordered: Vec<_> = rows.into_iter().collect();
    ordered.sort_by_key(|(_, ms)| ms.iter().map(|m| m.when).min());
    ordered
}

/// The markdown table of one topic, or `None` if it has no results.
pub(crate) fn table(topic: &Topic, all: &[Measurement]) -> Option<String> {
    let ordered = topic_rows(topic, all);
    if ordered.is_empty() {
        return None;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {} — {}* vs {} (criterion means; per element where the bench declares a throughput)",
        topic.name,
        topic.ours,
        topic.peer_ids.join(", ")
    );
    // Groups named `section/rest` (gochan's `threads/...`, `goroutines/...`)
    // get a table per section, each with its own columns.
    let mut sections: Vec<(&str, Vec<Row<'_>>)> = Vec::new();
    for ((group, param), ms) in ordered {
        let (section, rest) = group.split_once('/').unwrap_or(("", group));
        let row = (rest, param, ms);
        match sections.iter_mut().find(|(s, _)| *s == section) {
            Some((_, rows)) => rows.push(row),
            None => sections.push((section, vec![row])),
        }
    }
    for (section, rows) in &sections {
        if !section.is_empty() {
            let _ = writeln!(out, "\n### {section}");
        }
        out.push('\n');
        section_table(&mut out, topic, rows);
    }
    Some(out)
}

/// A row: the group (less its section), the parameter, its measurements.
type Row<'a> = (&'a str, &'a str, Vec<&'a Measurement>);

fn section_table(out: &mut String, topic: &Topic, rows: &[Row<'_>]) {
    let is_ours = |f: &str| f.starts_with(topic.ours);
    let mut by_time: Vec<&Measurement> = rows
        .iter()
        .flat_map(|(_, _, ms)| ms.iter().copied())
        .collect();
    by_time.sort_by_key(|m| m.when);
    let mut columns: Vec<&str> = Vec::new();
    for m in by_time {
        if !columns.contains(&m.function.as_str()) {
            columns.push(&m.function);
        }
    }
    // The N column only where a group has parameters.
    let has_param = rows.iter().any(|(_, p, _)| !p.is_empty());
    let (n_head, n_rule) = if has_param {
        (" N |", "---:|")
    } else {
        ("", "")
    };
    let _ = writeln!(
        out,
        "| group |{n_head} {} | ours / peer | |",
        columns.join(" | ")
    );
    let _ = writeln!(
        out,
        "|---|{n_rule}{}---:|---|",
        "---:|".repeat(columns.len())
    );
    for (group, param, ms) in rows {
        let cell = |f: &str| ms.iter().find(|m| m.function == f).map(|m| m.ns);
        let cells: Vec<String> = columns
            .iter()
            .map(|c| cell(c).map(format_ns).unwrap_or_else(|| "—".into()))
            .collect();
        let ours = columns.iter().find(|c| is_ours(c)).and_then(|c| cell(c));
        let peer = topic.peer_ids.iter().find_map(|p| cell(p));
        let (ratio, bar) = match (ours, peer) {
            (Some(o), Some(p)) if p > 0.0 => (format!("**{:.2}×**", o / p), bar(o / p)),
            _ => ("—".into(), String::new()),
        };
        let param = if has_param {
            format!(" {param} |")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {group} |{param} {} | {ratio} | {bar} |",
            cells.join(" | ")
        );
    }
}

/// A time in nanoseconds with three significant digits and a unit.
pub(crate) fn format_ns(ns: f64) -> String {
    let (v, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

/// The ratio as blocks, eight to 1× (capped at 5×), with `|` at 1×.
pub(crate) fn bar(ratio: f64) -> String {
    let blocks = (ratio.clamp(0.0, 5.0) * 8.0).round() as usize;
    let mut s: String = "█".repeat(blocks.min(8));
    if blocks > 8 {
        s.push('|');
        s.push_str(&"█".repeat(blocks - 8));
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::bench::TOPICS;
    use std::time::Duration;

    fn m(group: &str, function: &str, param: &str, ns: f64, t: u64) -> Measurement {
        Measurement {
            group: group.into(),
            function: function.into(),
            param: param.into(),
            ns,
            when: SystemTime::UNIX_EPOCH + Duration::from_secs(t),
        }
    }

    #[test]
    fn a_topic_table_has_run_order_rows_and_ratios_to_the_first_peer() {
        let map = TOPICS.iter().find(|t| t.name == "map").unwrap();
        let all = vec![
            m("lookup_hit_u64", "gomap", "1000", 4.0, 10),
            m("lookup_hit_u64", "hashbrown", "1000", 2.0, 11),
            m("insert_u64", "gomap", "1000", 25.0, 1),
            m("insert_u64", "hashbrown", "1000", 20.0, 2),
            m("insert_u64", "std", "1000", 19.0, 3),
            m("append", "goslice", "1000", 1.0, 0),
        ];
        let t = table(map, &all).unwrap();
        let lines: Vec<&str> = t.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(
            lines[0],
            "| group | N | gomap | hashbrown | std | ours / peer | |"
        );
        assert_eq!(
            lines[1],
            "| insert_u64 | 1000 | 25.0 ns | 20.0 ns | 19.0 ns | **1.25×** | ████████|██ |"
        );
        assert_eq!(
            lines[2],
            "| lookup_hit_u64 | 1000 | 4.00 ns | 2.00 ns | — | **2.00×** | ████████|████████ |"
        );
        assert_eq!(lines.len(), 3, "goslice's row is not a map row");
        let chan = TOPICS.iter().find(|t| t.name == "chan").unwrap();
        assert!(table(chan, &all).is_none());
    }

    #[test]
    fn sectioned_groups_get_a_table_each() {
        let chan = TOPICS.iter().find(|t| t.name == "chan").unwrap();
        let all = vec![
            m("goroutines/spsc/cap0", "gochan", "", 192.0, 1),
            m("goroutines/spsc/cap0", "go", "", 263.0, 2),
            m("threads/spsc/capN", "gochan", "", 56.9, 3),
            m("threads/spsc/capN", "crossbeam-channel", "", 28.1, 4),
            m("threads/spsc/capN", "flume", "", 230.0, 5),
        ];
        let t = table(chan, &all).unwrap();
        let want = "\
### goroutines

| group | gochan | go | ours / peer | |
|---|---:|---:|---:|---|
| spsc/cap0 | 192 ns | 263 ns | **0.73×** | ██████ |

### threads

| group | gochan | crossbeam-channel | flume | ours / peer | |
|---|---:|---:|---:|---:|---|
| spsc/capN | 56.9 ns | 28.1 ns | 230 ns | **2.02×** | ████████|████████ |
";
        assert!(t.ends_with(want), "{t}");
    }

    #[test]
    fn times_read_with_three_digits() {
        assert_eq!(format_ns(9.44), "9.44 ns");
        assert_eq!(format_ns(25.64), "25.6 ns");
        assert_eq!(format_ns(837_500.0), "838 µs");
        assert_eq!(format_ns(4_760_000.0), "4.76 ms");
        assert_eq!(bar(0.5), "████");
    }

    /// What criterion leaves for `insert_u64/gomap/1000`: 1000 inserts in
    /// a mean of 25 640 ns.
    pub(crate) fn write_one_result(criterion_dir: &Path) {
        let new = criterion_dir.join("insert_u64/gomap/1000/new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(
            new.join("benchmark.json"),
            r#"{"group_id":"insert_u64","function_id":"gomap","value_str":"1000","throughput":{"Elements":1000}}"#,
        )
        .unwrap();
        std::fs::write(
            new.join("estimates.json"),
            r#"{"mean":{"confidence_interval":{"lower_bound":1.0},"point_estimate":25640.0}}"#,
        )
        .unwrap();
    }

    #[test]
    fn reads_criterion_output_from_disk() {
        let dir = std::env::temp_dir().join(format!("xtask-report-{}", std::process::id()));
        write_one_result(&dir);
        let all = collect(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            (all[0].group.as_str(), all[0].function.as_str()),
            ("insert_u64", "gomap")
        );
        assert!((all[0].ns - 25.64).abs() < 1e-9);
    }
}
