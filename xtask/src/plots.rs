//! `cargo xtask report --plots [--docs DIR]`: the figures of `docs/report.md`,
//! drawn as SVG with `plotters` (its SVG backend only: no fonts or system
//! libraries; the viewer renders the text).
//!
//! Three kinds of figure. Computed ones come from the models themselves and
//! cost a second: slice capacity against length per Go release (goslice's
//! `growslice`, Go's `runtime/slice.go`), a map's B, load factor and
//! evacuation progress across 100 000 inserts (gomap's `hmap`, Go's
//! `runtime/map.go`), and Go 1.27's swiss map beside it: slots, load and
//! directory across the same inserts (`internal/runtime/maps`; the map
//! figures are drawn in `plots/maps.rs`). Benchmark ones read whatever
//! criterion results `cargo xtask bench` left under `target/criterion`,
//! one figure per topic, with the date, machine and load of the run that
//! made them; a topic never benchmarked gets a line saying so instead of a
//! figure. Measured ones (`plots/measured.rs`) read what `cargo xtask
//! measure` left under `target/measured` — the GC pause per barrier,
//! binary-trees, parked goroutines — in the same way.

use std::error::Error;
use std::fmt::Write as _;
use std::path::Path;
use std::time::SystemTime;

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use goslice::{ElemType, GoVersion};

use crate::bench::TOPICS;
use crate::growslice::regrowths;
use maps::{draw_map_growth, draw_swiss_map_growth};

mod maps;
mod measured;
use crate::provenance::{last_bench_run, loadavg, machine, utc};
use crate::report::{Measurement, format_ns, topic_rows};

type Drawn = Result<(), Box<dyn Error>>;

/// A figure computed from the models: file, title, what it shows, how to draw it.
struct Computed {
    file: &'static str,
    title: &'static str,
    shows: &'static str,
    draw: fn(&Path) -> Drawn,
}

/// Distinct colours, in series order.
const COLOURS: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
];

const FONT: &str = "sans-serif";

/// Writes every figure and `report.md` under `docs`; returns the figures'
/// file names.
pub(crate) fn write_all(
    criterion_dir: &Path,
    measured_dir: &Path,
    docs: &Path,
) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(docs).map_err(|e| format!("{}: {e}", docs.display()))?;
    let now = utc(SystemTime::now());
    let here = machine();
    let mut md = String::new();
    let mut files = Vec::new();
    let _ = writeln!(
        md,
        "# goruntime: figures\n\n\
         Regenerate with `cargo xtask report --plots` (seconds; the computed\n\
         figures need nothing else, the measured ones read the results\n\
         `cargo xtask bench TOPIC` leaves under `target/criterion` and\n\
         `cargo xtask measure FIGURE` under `target/measured`). This file\n\
         and the SVGs beside it are written by that command: edit\n\
         `xtask/src/plots.rs`, not them.\n"
    );

    let computed = format!(
        "computed by `cargo xtask report --plots` on {here}, {now} (from the \
         model alone: the same on any machine)"
    );
    let figures = [
        Computed {
            file: "slice_growth.svg",
            title: "Chapter 1: slice capacity per Go release",
            shows: "Appending one 24-byte element holding pointers (a string and a \
             pointer, say) at a time to a nil slice: capacity against length, \
             and the factor of each regrowth. Go 1.17 doubles below 1024 then \
             grows by 1.25x; 1.18 eases from 2x at 256 towards 1.25x; 1.22 \
             rounds pointerful elements up to other size classes. Same rows as \
             `cargo xtask growslice --go 1.17 --size 24 --pointers --upto 5000`.",
            draw: draw_slice_growth,
        },
        Computed {
            file: "map_growth.svg",
            title: "Chapter 2: a map's B, load and evacuation across 100 000 inserts",
            shows: "gomap's classic map (Go 1.19's hmap, the notes' map) with u64 keys: B after each \
             insert, the load count/2^B (Go doubles once it would pass 6.5), \
             and the share of old buckets evacuated while a growth is in \
             progress (each write evacuates the bucket it touches and one \
             more). Same growth points as `cargo xtask mapgrowth --go 1.19 \
             --inserts 100000`. Go 1.24 replaced this map with swiss tables: \
             see the next figure.",
            draw: draw_map_growth,
        },
        Computed {
            file: "swiss_map_growth.svg",
            title: "Chapter 2: Go 1.27's swiss map beside the classic map across 100 000 inserts",
            shows: "int64 keys 0, 1, 2, ... into make(map[int64]int64), as \
             `cargo xtask mapgrowth --inserts 100000` for Go 1.19, 1.23 (the \
             classic map; the two agree) and 1.27 (swiss tables). Slots: the \
             classic map doubles all of its 8 x 2^B bucket slots at once; the \
             swiss map's small map (8 slots) becomes one table that doubles \
             up to 1 024 slots, and from then on one full table at a time \
             splits into two, so its capacity grows in steps of 1 024. Load: \
             entries per slot; a swiss table grows or splits at 7/8, the \
             classic map doubles at 6.5/8. Under a good hash the swiss \
             tables fill at one pace, so the whole map's load saws as the \
             classic map's does, each drop spread over a wave of splits. \
             Directory: the swiss map's 2^globalDepth entries and its tables \
             (none while it is a small map). Up to the first split (count \
             897) the rows match real Go 1.27; past it they depend on the \
             hash seed, fixed here.",
            draw: draw_swiss_map_growth,
        },
    ];
    for Computed {
        file,
        title,
        shows,
        draw,
    } in figures
    {
        draw(&docs.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let _ = writeln!(
            md,
            "## {title}\n\n![{title}]({file})\n\n{shows}\n\n*{computed}.*\n"
        );
        files.push(file.to_owned());
    }

    let all = crate::report::collect(criterion_dir).unwrap_or_default();
    let _ = writeln!(
        md,
        "## Benchmarks beside their peers\n\n\
         Criterion means (per element where the bench declares a throughput),\n\
         one figure per topic, log scale: further left is faster. The tables\n\
         with ratios: `cargo xtask report TOPIC`.\n"
    );
    for topic in TOPICS {
        let rows = topic_rows(topic, &all);
        if rows.is_empty() {
            let _ = writeln!(
                md,
                "### {}\n\nNo results under `target/criterion`: run `cargo xtask bench {}`.\n",
                topic.name, topic.name
            );
            continue;
        }
        let file = format!("bench_{}.svg", topic.name);
        draw_bench(&docs.join(&file), topic.name, &rows).map_err(|e| format!("{file}: {e}"))?;
        let newest = rows
            .iter()
            .flat_map(|(_, ms)| ms.iter().map(|m| m.when))
            .max()
            .map_or_else(|| "unknown".to_owned(), utc);
        let run = match last_bench_run(criterion_dir, topic.name) {
            Some(run) => format!(
                "`cargo xtask bench {}` on {}, {} (load average {} when it began)",
                topic.name, run.machine, run.when, run.load
            ),
            None => format!(
                "`cargo xtask bench {}`, results written {newest}; the machine and \
                 its load were not logged (run before `bench` kept its log)",
                topic.name
            ),
        };
        let _ = writeln!(
            md,
            "### {}: {}* vs {}\n\n![{} benchmarks]({file})\n\n*Measured by {run}; \
             drawn {now}.*\n",
            topic.name,
            topic.ours,
            topic.peer_ids.join(", "),
            topic.name
        );
        files.push(file);
    }
    files.extend(measured::write_section(&mut md, measured_dir, docs, &now)?);
    let _ = writeln!(
        md,
        "---\nWritten by `cargo xtask report --plots` on {here}, {now}, load average {}.",
        loadavg()
    );
    std::fs::write(docs.join("report.md"), md).map_err(|e| format!("report.md: {e}"))?;
    Ok(files)
}

/// A step line through `(x, y)` change points: flat until the next one.
fn steps(points: &[(f64, f64)], x_end: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 1);
    for (i, &(x, y)) in points.iter().enumerate() {
        out.push((x, y));
        let next_x = points.get(i + 1).map_or(x_end, |p| p.0);
        out.push((next_x, y));
    }
    out
}

fn legend_line(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
}

fn draw_slice_growth(path: &Path) -> Drawn {
    const UPTO: usize = 5000;
    let elem = ElemType {
        size: 24,
        pointers: true,
    };
    let versions = [GoVersion::V1_17, GoVersion::V1_18, GoVersion::V1_22];
    let series: Vec<(GoVersion, Vec<(usize, usize)>)> = versions
        .iter()
        .map(|&v| Ok((v, regrowths(v, elem, UPTO)?)))
        .collect::<Result<_, goslice::RuntimeError>>()?;
    let max_cap = series
        .iter()
        .flat_map(|(_, s)| s.iter().map(|&(_, c)| c))
        .max()
        .unwrap_or(1) as f64;

    let root = titled_page(
        path,
        (1100, 480),
        "append one 24-byte pointerful element at a time (goslice's growslice)",
    )?;
    let (left, right) = root.split_horizontally(550);

    let mut chart = chart_on(&left, "capacity against length")
        .build_cartesian_2d(0f64..UPTO as f64, 0f64..max_cap * 1.05)?;
    chart
        .configure_mesh()
        .x_desc("len (elements)")
        .y_desc("cap (elements)")
        .x_label_formatter(&whole)
        .y_label_formatter(&whole)
        .draw()?;
    for (i, (v, s)) in series.iter().enumerate() {
        let points: Vec<(f64, f64)> = s.iter().map(|&(l, c)| (l as f64, c as f64)).collect();
        let colour = COLOURS[i];
        // Earlier releases drawn wider, so a later one on top of them
        // leaves both visible where they agree.
        let width = 2 * (series.len() - i) as u32;
        chart
            .draw_series(LineSeries::new(
                steps(&points, UPTO as f64),
                colour.stroke_width(width),
            ))?
            .label(v.to_string())
            .legend(legend_line(colour));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

    let mut chart = chart_on(&right, "growth factor at each regrowth")
        .build_cartesian_2d((1f64..UPTO as f64).log_scale(), 1f64..2.6f64)?;
    chart
        .configure_mesh()
        .x_desc("old cap (elements, log scale)")
        .y_desc("new cap / old cap")
        .x_label_formatter(&whole)
        .draw()?;
    for (i, (v, s)) in series.iter().enumerate() {
        let factors: Vec<(f64, f64)> = s
            .windows(2)
            .map(|w| (w[0].1 as f64, w[1].1 as f64 / w[0].1 as f64))
            .collect();
        let colour = COLOURS[i];
        chart
            .draw_series(LineSeries::new(factors.clone(), colour.stroke_width(2)))?
            .label(v.to_string())
            .legend(legend_line(colour));
        chart.draw_series(factors.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

/// Ours and every peer per row, as dots on a log time axis.
fn draw_bench(path: &Path, topic: &str, rows: &[crate::report::TopicRow<'_>]) -> Drawn {
    let labels: Vec<String> = rows
        .iter()
        .map(|((group, param), _)| {
            if param.is_empty() {
                (*group).to_owned()
            } else {
                format!("{group} N={param}")
            }
        })
        .collect();
    let mut functions: Vec<&str> = Vec::new();
    let mut by_time: Vec<&Measurement> =
        rows.iter().flat_map(|(_, ms)| ms.iter().copied()).collect();
    by_time.sort_by_key(|m| m.when);
    for m in &by_time {
        if !functions.contains(&m.function.as_str()) {
            functions.push(&m.function);
        }
    }
    let (lo, hi) = by_time
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), m| (lo.min(m.ns), hi.max(m.ns)));
    // The first row measured at the top: row r in slot n - 1 - r, and
    // back (a single row's empty second slot has no row).
    let top_down = |i: usize| rows.len().checked_sub(1 + i);
    let height = 140 + 26 * rows.len() as u32 + 18 * functions.len() as u32;
    let root = SVGBackend::new(path, (1000, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{topic}: time per element or iteration (criterion mean)"),
            (FONT, 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(300)
        .build_cartesian_2d(
            // Room on the right for the legend.
            ((lo / 2.0).max(0.01)..hi * 10.0).log_scale(),
            // A discrete range includes its end: one segment a row (two
            // for a single row, which plotters cannot map on its own).
            (0..rows.len().max(2) - 1).into_segmented(),
        )?;
    chart
        .configure_mesh()
        .x_desc("time (log scale)")
        .x_labels(8)
        .x_label_formatter(&|ns| format_ns(*ns))
        .y_labels(rows.len())
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => top_down(*i)
                .and_then(|r| labels.get(r))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .disable_y_mesh()
        .draw()?;
    for (fi, function) in functions.iter().enumerate() {
        let colour = COLOURS[fi % COLOURS.len()];
        let dots: Vec<(f64, usize)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, (_, ms))| {
                ms.iter()
                    .find(|m| m.function == *function)
                    .map(|m| (m.ns, rows.len() - 1 - i))
            })
            .collect();
        chart
            .draw_series(
                dots.into_iter().map(|(ns, i)| {
                    Circle::new((ns, SegmentValue::CenterOf(i)), 5, colour.filled())
                }),
            )?
            .label(*function)
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

/// A white SVG page of `size` pixels with `title` across its top; returns
/// the area under the title, for the figure's panels.
fn titled_page<'a>(
    path: &'a Path,
    size: (u32, u32),
    title: &str,
) -> Result<DrawingArea<SVGBackend<'a>, Shift>, Box<dyn Error>> {
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE)?;
    Ok(root.titled(title, (FONT, 20))?)
}

/// An axis label without decimals.
fn whole(v: &f64) -> String {
    format!("{v:.0}")
}

/// A panel with a caption and room for axis labels.
fn chart_on<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    caption: &str,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(caption, (FONT, 16))
        .margin(12)
        .margin_right(28)
        .x_label_area_size(40)
        .y_label_area_size(60);
    builder
}

fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    at: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(at)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_each_value_until_the_next_change() {
        assert_eq!(
            steps(&[(1.0, 1.0), (3.0, 2.0)], 5.0),
            [(1.0, 1.0), (3.0, 1.0), (3.0, 2.0), (5.0, 2.0)]
        );
    }

    #[test]
    fn writes_every_figure_and_a_report_naming_them() {
        let dir = std::env::temp_dir().join(format!("xtask-plots-{}", std::process::id()));
        let criterion = dir.join("criterion");
        crate::report::tests::write_one_result(&criterion);
        let docs = dir.join("docs");
        let measured = dir.join("measured");
        crate::measure::tests::write_sample(&measured, "gc-pause");
        crate::measure::tests::write_sample(&measured, "parked");
        let files = write_all(&criterion, &measured, &docs).unwrap();
        let report = std::fs::read_to_string(docs.join("report.md")).unwrap();
        let svg = std::fs::read_to_string(docs.join("map_growth.svg")).unwrap();
        let bench = std::fs::read_to_string(docs.join("bench_map.svg")).unwrap();
        let pause = std::fs::read_to_string(docs.join("gc_pause.svg")).unwrap();
        let parked = std::fs::read_to_string(docs.join("parked.svg")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            files,
            [
                "slice_growth.svg",
                "map_growth.svg",
                "swiss_map_growth.svg",
                "bench_map.svg",
                "parked.svg",
                "gc_pause.svg"
            ]
        );
        for file in &files {
            assert!(report.contains(&format!("]({file})")), "{file} embedded");
        }
        assert!(report.contains("run `cargo xtask bench chan`"), "{report}");
        assert!(
            report.contains("Measured by `cargo xtask measure gc-pause` on testhost"),
            "{report}"
        );
        assert!(report.contains("load average 0.10 0.20 0.30 when it began"));
        assert!(report.contains("Not measured yet: run `cargo xtask measure binarytrees`."));
        assert!(!report.contains("Not drawn here"));
        assert!(pause.contains("goroutine stacks (log scale)") && pause.contains("hybrid-go"));
        assert!(parked.contains("std::thread") && parked.contains("bytes per task (RSS)"));
        assert!(report.contains(" UTC"), "dated: {report}");
        assert!(svg.starts_with("<svg") && svg.contains("inserts (log scale)"));
        assert!(bench.contains("insert_u64 N=1000") && bench.contains("gomap"));
    }
}
