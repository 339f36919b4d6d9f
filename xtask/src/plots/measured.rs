//! The measured figures of `cargo xtask report --plots`, drawn from what
//! `cargo xtask measure` left under `target/measured`: a parked
//! goroutine's memory and a spawn's time beside Go and OS threads (Go's
//! `runtime/proc.go`), gogc's longest stop-the-world pause against
//! goroutine stacks per barrier (Go's `runtime/mgc.go`, proposal 17503),
//! and binary-trees beside Go. A figure never measured gets a line naming the
//! command instead.

use std::fmt::Write as _;
use std::path::Path;

use plotters::coord::combinators::LogCoord;
use plotters::prelude::*;

use super::{COLOURS, Drawn, FONT, chart_on, legend, legend_line, titled_page};
use crate::measure::{Measured, read};

/// A figure drawn from one `cargo xtask measure NAME`'s results.
struct MeasuredFigure {
    /// The `measure` name, and `target/measured/NAME.tsv`.
    name: &'static str,
    file: &'static str,
    title: &'static str,
    shows: &'static str,
    draw: fn(&Measured, &Path) -> Drawn,
}

const FIGURES: [MeasuredFigure; 3] = [
    MeasuredFigure {
        name: "parked",
        file: "parked.svg",
        title: "Chapter 7: a parked goroutine's memory, a spawn's and a switch's time, beside Go and OS threads",
        shows: "Left: resident memory per task while N of them wait on one gate — \
         gosched's `examples/parked.rs`, Go's `benches/go/parked/main.go`, and \
         N `std::thread`s (`examples/parked_threads.rs`; the kernel's map \
         limit stops them in the tens of thousands). A gosched goroutine \
         holds at least one 4 KiB stack page; Go's starts on 2 KiB stacks. \
         Middle: spawning N goroutines that each call `wg.done()`, and waiting \
         for them (`examples/spawn.rs`, `benches/go/spawn/main.go`). Right: \
         two goroutines on one P (GOMAXPROCS=1) taking turns through a yield \
         N times (`examples/yield.rs`, `benches/go/yield/main.go`); OS \
         threads taking turns are in the sched benchmarks below.",
        draw: draw_parked,
    },
    MeasuredFigure {
        name: "gc-pause",
        file: "gc_pause.svg",
        title: "Chapter 8: the GC pause against goroutine stacks, per barrier",
        shows: "gogc's `examples/stw.rs`: N goroutine stacks of 4 slots each over a \
         heap of 100 000 objects, every mutator working between collector \
         steps; the longest stop-the-world phase of one cycle. Dijkstra's \
         insertion barrier re-scans every stack at mark termination and \
         Yuasa's deletion barrier scans them all at sweep termination, so \
         their pause grows with the stacks; the hybrid barriers (proposal \
         17503, Go 1.8 on) scan each stack concurrently and never again, \
         so theirs stays near flat (the pacer's count of stack bytes is kept \
         as stacks change, as Go's `addScannableStack` keeps it, not summed \
         with the world stopped).",
        draw: draw_gc_pause,
    },
    MeasuredFigure {
        name: "binarytrees",
        file: "binarytrees.svg",
        title: "Chapter 8: binary-trees beside Go",
        shows: "The Benchmarks Game's binary-trees, whole program per depth: gogc \
         (`gogc/examples/binarytrees`, Go's pacer, a background mark worker \
         with 2 Ps) beside Go 1.27 (`gogc/benches/go/binarytrees.go`), each \
         with GOMAXPROCS 1 and 2, and the same trees in `Box` (no collector). \
         Right: each time over Go's with 2 Ps.",
        draw: draw_binarytrees,
    },
];

/// Writes the section of `report.md` for the measured figures and their
/// SVGs under `docs`; returns the files drawn.
pub(super) fn write_section(
    md: &mut String,
    measured_dir: &Path,
    docs: &Path,
    now: &str,
) -> Result<Vec<String>, String> {
    let _ = writeln!(
        md,
        "## Measured by the crates' own programs\n\n\
         Figures criterion does not make: the crates' example programs beside\n\
         their Go twins, run in rounds by `cargo xtask measure FIGURE` (ours\n\
         and Go's alternately, so both see the same load; each point the\n\
         median of its rounds), which writes `target/measured/FIGURE.tsv`.\n\
         `cargo xtask measure all` runs every figure.\n"
    );
    let mut files = Vec::new();
    for figure in &FIGURES {
        let title = figure.title;
        let Some(measured) = read(measured_dir, figure.name) else {
            let _ = writeln!(
                md,
                "### {title}\n\nNot measured yet: run `cargo xtask measure {}`.\n",
                figure.name
            );
            continue;
        };
        let m = measured?;
        let file = figure.file;
        (figure.draw)(&m, &docs.join(file)).map_err(|e| format!("{file}: {e}"))?;
        let rounds = match m.points.first().map_or(0, |p| p.runs.len()) {
            1 => "one round".to_owned(),
            n => format!("medians of {n} rounds"),
        };
        let _ = writeln!(
            md,
            "### {title}\n\n![{title}]({file})\n\n{}\n\n*Measured by `{}` on {}, {} \
             (load average {} when it began; Go: {}; {rounds}; took {}); drawn {now}.*\n",
            figure.shows, m.command, m.machine, m.when, m.load, m.go, m.took
        );
        files.push(file.to_owned());
    }
    Ok(files)
}

type Series<'a> = Vec<(&'a str, Vec<(f64, f64)>)>;

/// The smallest and largest x and y of every point.
fn bounds(series: &[(&str, Vec<(f64, f64)>)]) -> ((f64, f64), (f64, f64)) {
    let points = || series.iter().flat_map(|(_, p)| p.iter().copied());
    let lo_hi = |f: fn((f64, f64)) -> f64| {
        points()
            .map(f)
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    (lo_hi(|p| p.0), lo_hi(|p| p.1))
}

/// Each series as a line through dots, in `COLOURS` order from `first`.
fn draw_lines<'a, 'b, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
    series: &[(&str, Vec<(f64, f64)>)],
    colour_of: impl Fn(&str) -> RGBColor,
) -> Drawn
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (name, points) in series {
        let colour = colour_of(name);
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?
            .label(*name)
            .legend(legend_line(colour));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
    }
    Ok(())
}

/// A colour per series name, fixed by the order the names first appear.
fn palette<'a>(series: &'a Series<'a>) -> impl Fn(&str) -> RGBColor + 'a {
    move |name| {
        let at = series.iter().position(|(n, _)| *n == name).unwrap_or(0);
        COLOURS[at % COLOURS.len()]
    }
}

/// An axis label: whole numbers from 10 up (and 0), thousands apart from
/// 10 000 (`100 000`), one or two decimals below 10.
fn short(v: &f64) -> String {
    match v.abs() {
        a if a >= 10_000.0 => {
            let digits = format!("{:.0}", v.abs());
            let mut grouped = String::new();
            for (i, d) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(' ');
                }
                grouped.push(d);
            }
            if *v < 0.0 {
                format!("-{grouped}")
            } else {
                grouped
            }
        }
        a if a >= 10.0 || a == 0.0 => format!("{v:.0}"),
        a if a >= 1.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

/// Labels on a log x axis: its decades, without the in-between steps
/// plotters adds when the range spans one or two.
const LOG_LABELS: usize = 6;

/// A log axis around `lo..hi`, with `room` times `hi` above for a legend
/// (a 0, which a log axis cannot show, leaves three decades below `hi`).
fn log_axis((lo, hi): (f64, f64), room: f64) -> LogCoord<f64> {
    let lo = if lo > 0.0 { lo / 1.5 } else { hi / 1000.0 };
    (lo..hi * room).log_scale().into()
}

fn draw_gc_pause(m: &Measured, path: &Path) -> Drawn {
    let series = m.series("max_stw_us");
    let (xs, ys) = bounds(&series);
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = chart_on(
        &root,
        "gogc: the longest stop-the-world pause of a cycle (examples/stw.rs)",
    )
    .build_cartesian_2d(log_axis(xs, 1.5), log_axis(ys, 8.0))?;
    chart
        .configure_mesh()
        .x_desc("goroutine stacks (log scale)")
        .x_labels(LOG_LABELS)
        .y_desc("longest pause (µs, log scale)")
        .x_label_formatter(&short)
        .y_label_formatter(&short)
        .draw()?;
    draw_lines(&mut chart, &series, palette(&series))?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present()?;
    Ok(())
}

fn draw_binarytrees(m: &Measured, path: &Path) -> Drawn {
    let series = m.series("ms");
    let colour = palette(&series);
    let ((lo, hi), ys) = bounds(&series);
    let depths = || lo - 0.3..hi + 0.3;
    let root = titled_page(
        path,
        (1100, 500),
        "binary-trees, the whole program per depth: gogc beside Go 1.27 and Box",
    )?;
    let (left, right) = root.split_horizontally(550);

    let mut chart = chart_on(&left, "time").build_cartesian_2d(depths(), log_axis(ys, 6.0))?;
    chart
        .configure_mesh()
        .x_desc("max depth")
        .y_desc("ms (log scale)")
        .x_labels(depth_labels(lo, hi))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&short)
        .draw()?;
    draw_lines(&mut chart, &series, &colour)?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

    let Some((base_name, base)) = series.iter().find(|(n, _)| *n == "Go 2 P") else {
        right.titled("no Go results: `go` was not on PATH", (FONT, 16))?;
        root.present()?;
        return Ok(());
    };
    let ratios: Series<'_> = series
        .iter()
        .map(|(name, points)| {
            let over: Vec<(f64, f64)> = points
                .iter()
                .filter_map(|&(d, t)| {
                    let go = base.iter().find(|p| p.0 == d)?.1;
                    Some((d, t / go))
                })
                .collect();
            (*name, over)
        })
        .collect();
    let (_, (rlo, rhi)) = bounds(&ratios);
    let mut chart = chart_on(&right, &format!("time / {base_name}: below 1 is faster"))
        .build_cartesian_2d(depths(), (rlo.min(1.0) * 0.8)..(rhi.max(1.0) * 1.5))?;
    chart
        .configure_mesh()
        .x_desc("max depth")
        .y_desc(format!("time / {base_name}"))
        .x_labels(depth_labels(lo, hi))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .draw()?;
    draw_lines(&mut chart, &ratios, &colour)?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present()?;
    Ok(())
}

/// A label per whole depth from `lo` to `hi`.
fn depth_labels(lo: f64, hi: f64) -> usize {
    (hi - lo) as usize + 1
}

fn draw_parked(m: &Measured, path: &Path) -> Drawn {
    let memory = m.series("rss_bytes");
    let spawn = m.series("spawn_ns");
    let switch = m.series("switch_ns");
    // One colour per program across the panels.
    let mut names = memory.clone();
    for (name, points) in spawn.iter().chain(&switch) {
        if !names.iter().any(|(n, _)| n == name) {
            names.push((name, points.clone()));
        }
    }
    let colour = palette(&names);
    let root = titled_page(
        path,
        (1500, 500),
        "gosched beside Go 1.27 and OS threads (gosched/examples, gosched/benches/go)",
    )?;
    let panels = root.split_evenly((1, 3));
    let [left, middle, right] = &panels[..] else {
        unreachable!("three panels")
    };
    for (area, series, caption, y_desc) in [
        (
            &left,
            &memory,
            "resident memory per parked task",
            "bytes per task (RSS)",
        ),
        (
            &middle,
            &spawn,
            "spawn N goroutines and wait: time per goroutine",
            "ns per goroutine",
        ),
        (
            &right,
            &switch,
            "two goroutines yielding on one P: time per switch",
            "ns per switch",
        ),
    ] {
        let (xs, (_, y_hi)) = bounds(series);
        let mut chart =
            chart_on(area, caption).build_cartesian_2d(log_axis(xs, 1.5), 0.0..y_hi * 1.45)?;
        chart
            .configure_mesh()
            .x_desc("N (log scale)")
            .x_labels(LOG_LABELS)
            .y_desc(y_desc)
            .x_label_formatter(&short)
            .y_label_formatter(&short)
            .draw()?;
        draw_lines(&mut chart, series, &colour)?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::MEASURES;

    #[test]
    fn every_measure_has_a_figure() {
        let figures: Vec<_> = FIGURES.iter().map(|f| f.name).collect();
        let measures: Vec<_> = MEASURES.iter().map(|m| m.name).collect();
        assert_eq!(figures, measures);
    }

    #[test]
    fn binarytrees_draws_beside_go_and_without_it() {
        let dir = std::env::temp_dir().join(format!("xtask-measured-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut m = crate::measure::tests::sample("binarytrees");
        draw_binarytrees(&m, &dir.join("with.svg")).unwrap();
        m.points.retain(|p| !p.series.starts_with("Go"));
        draw_binarytrees(&m, &dir.join("without.svg")).unwrap();
        let with = std::fs::read_to_string(dir.join("with.svg")).unwrap();
        let without = std::fs::read_to_string(dir.join("without.svg")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        for series in ["gogc 1 P", "gogc 2 P", "Go 1 P", "Go 2 P", "Box"] {
            assert!(with.contains(series), "{series}");
        }
        assert!(with.contains("time / Go 2 P") && with.contains("max depth"));
        assert!(without.contains("`go` was not on PATH") && !without.contains("Go 1 P"));
    }

    #[test]
    fn axis_labels_group_thousands() {
        let labels: Vec<String> = [0.0, 0.25, 2.5, 42.0, 1000.0, 10_000.0, 1_000_000.0]
            .iter()
            .map(short)
            .collect();
        assert_eq!(
            labels,
            ["0", "0.25", "2.5", "42", "1000", "10 000", "1 000 000"]
        );
    }

    #[test]
    fn bounds_span_every_series() {
        let series = vec![
            ("a", vec![(1.0, 5.0), (10.0, 2.0)]),
            ("b", vec![(3.0, 9.0)]),
        ];
        assert_eq!(bounds(&series), ((1.0, 10.0), (2.0, 9.0)));
    }
}
