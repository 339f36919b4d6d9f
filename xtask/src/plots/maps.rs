//! The map figures of `cargo xtask report --plots`, computed from gomap:
//! the classic map's B, load and evacuation across 100 000 inserts (Go
//! 1.19's `runtime/map.go`), and Go 1.27's swiss map beside the classic
//! one — slots, load and directory (`internal/runtime/maps`), from the
//! rows `cargo xtask mapgrowth --inserts` prints.

use std::path::Path;

use plotters::prelude::*;

use gomap::{GoVersion, HashMap, RandomSeed};

use super::{COLOURS, Drawn, chart_on, legend, legend_line, steps, titled_page, whole};
use crate::mapgrowth::{GrowthRow, growth_rows};

/// One map's state after each insert, thinned to what a figure can show.
struct MapTrace {
    /// `(inserts, B)` at each change.
    b: Vec<(f64, f64)>,
    /// `(inserts, count / 2^B)`.
    load: Vec<(f64, f64)>,
    /// `(inserts, evacuated / old buckets)`, 0 between growths.
    evacuated: Vec<(f64, f64)>,
}

/// The classic map across `inserts` inserts.
fn trace_classic_map(inserts: u64) -> MapTrace {
    let mut m: HashMap<u64, u64> = HashMap::with_options(0, RandomSeed::fixed(0), GoVersion::V1_19);
    let mut t = MapTrace {
        b: Vec::new(),
        load: Vec::new(),
        evacuated: Vec::new(),
    };
    let mut last_evacuated = f64::NAN;
    for k in 0..inserts {
        m.insert(k, k);
        let x = (k + 1) as f64;
        let b = f64::from(m.b());
        if t.b.last().is_none_or(|&(_, last)| last != b) {
            t.b.push((x, b));
        }
        // A point per insert through 1000, then every 0.2 % on a log axis.
        let keep = k < 1000 || x.log10() - t.load.last().map_or(0.0, |p| p.0.log10()) > 0.002;
        let evacuated = m
            .evacuation()
            .map_or(0.0, |e| e.evacuated as f64 / e.old_buckets as f64);
        if keep || evacuated != last_evacuated {
            t.load.push((x, m.load_factor()));
            t.evacuated.push((x, evacuated));
            last_evacuated = evacuated;
        }
    }
    t
}

pub(super) fn draw_map_growth(path: &Path) -> Drawn {
    const INSERTS: u64 = 100_000;
    let t = trace_classic_map(INSERTS);
    let x_range = || (1f64..INSERTS as f64).log_scale();
    let root = titled_page(
        path,
        (900, 900),
        "gomap's classic map (Go 1.19's hmap), u64 keys, 100 000 inserts",
    )?;
    let panels = root.split_evenly((3, 1));
    let classic = COLOURS[0];

    let max_b = t.b.last().map_or(1.0, |p| p.1);
    let mut chart = chart_on(&panels[0], "B: the map has 2^B buckets")
        .build_cartesian_2d(x_range(), 0f64..max_b + 1.0)?;
    chart
        .configure_mesh()
        .x_desc("inserts (log scale)")
        .y_desc("B")
        .x_label_formatter(&whole)
        .y_label_formatter(&whole)
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            steps(&t.b, INSERTS as f64),
            classic.stroke_width(2),
        ))?
        .label("classic (Go 1.9-1.23)")
        .legend(legend_line(classic));
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

    let mut chart = chart_on(&panels[1], "load factor count / 2^B (Go grows past 6.5)")
        .build_cartesian_2d(x_range(), 0f64..10f64)?;
    chart
        .configure_mesh()
        .x_desc("inserts (log scale)")
        .y_desc("entries per bucket")
        .x_label_formatter(&whole)
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            t.load.iter().copied(),
            classic.stroke_width(1),
        ))?
        .label("classic")
        .legend(legend_line(classic));
    let limit = COLOURS[1];
    chart
        .draw_series(LineSeries::new(
            [(1.0, 6.5), (INSERTS as f64, 6.5)],
            limit.stroke_width(1),
        ))?
        .label("6.5: loadFactorNum/loadFactorDen")
        .legend(legend_line(limit));
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;

    let mut chart = chart_on(
        &panels[2],
        "evacuation progress while a growth is in progress",
    )
    .build_cartesian_2d(x_range(), 0f64..1.05f64)?;
    chart
        .configure_mesh()
        .x_desc("inserts (log scale)")
        .x_label_formatter(&whole)
        .y_desc("old buckets evacuated")
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            t.evacuated.iter().copied(),
            classic.stroke_width(1),
        ))?
        .label("classic")
        .legend(legend_line(classic));
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present()?;
    Ok(())
}

/// Slots a `growth_rows` shape stands for: the swiss map's total capacity,
/// or the classic map's `8 * 2^B`.
fn slots(version: GoVersion, shape: [usize; 3]) -> usize {
    if version.is_swiss() {
        shape[2]
    } else {
        gomap::BUCKET_CNT << shape[0]
    }
}

/// Entries per slot after each insert, from `growth_rows` change points:
/// a rising line while the slots stay (a point every 1% of inserts, so it
/// curves right on a log axis, and one just before the next change), then
/// a drop.
fn load_points(version: GoVersion, rows: &[GrowthRow], inserts: usize) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    for (i, &(from, shape)) in rows.iter().enumerate() {
        let to = rows.get(i + 1).map_or(inserts, |&(next, _)| next - 1) as f64;
        let slots = slots(version, shape) as f64;
        let mut count = from as f64;
        loop {
            points.push((count, count / slots));
            if count >= to {
                break;
            }
            count = (count * 1.01).max(count + 1.0).min(to);
        }
    }
    points
}

pub(super) fn draw_swiss_map_growth(path: &Path) -> Drawn {
    const INSERTS: usize = 100_000;
    let versions = [GoVersion::V1_19, GoVersion::V1_23, GoVersion::V1_27];
    let series: Vec<(GoVersion, Vec<GrowthRow>)> = versions
        .iter()
        .map(|&v| (v, growth_rows(v, INSERTS)))
        .collect();
    let label = |v: GoVersion| {
        let design = if v.is_swiss() { "swiss" } else { "classic" };
        format!("{v} ({design})")
    };
    // Earlier releases drawn wider, so a later one on top of them leaves
    // both visible where they agree.
    let width = |i: usize| 2 * (series.len() - i) as u32;
    let x_range = || (1f64..INSERTS as f64).log_scale();
    let root = titled_page(
        path,
        (900, 900),
        "gomap: Go 1.27's swiss map beside the classic map, int64 keys, 100 000 inserts",
    )?;
    let panels = root.split_evenly((3, 1));

    let max_slots = series
        .iter()
        .flat_map(|(v, rows)| rows.iter().map(|&(_, shape)| slots(*v, shape)))
        .max()
        .unwrap_or(8) as f64;
    let mut chart = chart_on(
        &panels[0],
        "slots: swiss total capacity, classic 8 x 2^B buckets",
    )
    .build_cartesian_2d(x_range(), (4f64..max_slots * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("inserts (log scale)")
        .y_desc("slots (log scale)")
        .x_label_formatter(&whole)
        .y_label_formatter(&whole)
        .draw()?;
    for (i, (v, rows)) in series.iter().enumerate() {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .map(|&(count, shape)| (count as f64, slots(*v, shape) as f64))
            .collect();
        let colour = COLOURS[i];
        chart
            .draw_series(LineSeries::new(
                steps(&points, INSERTS as f64),
                colour.stroke_width(width(i)),
            ))?
            .label(label(*v))
            .legend(legend_line(colour));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

    let mut chart = chart_on(
        &panels[1],
        "load: entries per slot (swiss tables grow at 7/8, classic at 6.5/8)",
    )
    // Room above 1 for the legend, clear of the lines.
    .build_cartesian_2d(x_range(), 0f64..1.75f64)?;
    chart
        .configure_mesh()
        .x_desc("inserts (log scale)")
        .y_desc("entries per slot")
        .x_label_formatter(&whole)
        .draw()?;
    for (i, (v, rows)) in series.iter().enumerate() {
        let colour = COLOURS[i];
        chart
            .draw_series(LineSeries::new(
                load_points(*v, rows, INSERTS),
                colour.stroke_width(width(i) / 2),
            ))?
            .label(label(*v))
            .legend(legend_line(colour));
    }
    for (limit, name, colour) in [
        (
            7.0 / 8.0,
            "7/8: swiss maxAvgGroupLoad, 7 per 8-slot group",
            COLOURS[3],
        ),
        (
            6.5 / 8.0,
            "6.5/8: classic loadFactor, 6.5 per 8-slot bucket",
            COLOURS[4],
        ),
    ] {
        chart
            .draw_series(LineSeries::new(
                [(1.0, limit), (INSERTS as f64, limit)],
                colour.stroke_width(1),
            ))?
            .label(name)
            .legend(legend_line(colour));
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;

    let (swiss_at, swiss) = series
        .iter()
        .enumerate()
        .find(|(_, (v, _))| v.is_swiss())
        .map(|(i, (_, rows))| (i, rows))
        .ok_or("no swiss release drawn")?;
    // A small map has no directory and no table: nothing to draw on a log
    // axis until it becomes a table.
    let tables: Vec<GrowthRow> = swiss
        .iter()
        .copied()
        .filter(|&(_, [dir_len, ..])| dir_len > 0)
        .collect();
    let max_dir = tables.iter().map(|&(_, [d, ..])| d).max().unwrap_or(1) as f64;
    let mut chart = chart_on(
        &panels[2],
        "the swiss map's directory: 2^globalDepth entries and the tables they name",
    )
    .build_cartesian_2d(x_range(), (0.8f64..max_dir * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("inserts (log scale)")
        .y_desc("count (log scale)")
        .x_label_formatter(&whole)
        .y_label_formatter(&whole)
        .draw()?;
    for (field, name, colour) in [
        (0, "directory entries (dirLen)", COLOURS[swiss_at]),
        (1, "tables", COLOURS[5]),
    ] {
        let points: Vec<(f64, f64)> = tables
            .iter()
            .map(|&(count, shape)| (count as f64, shape[field] as f64))
            .collect();
        chart
            .draw_series(LineSeries::new(
                steps(&points, INSERTS as f64),
                colour.stroke_width(2),
            ))?
            .label(name)
            .legend(legend_line(colour));
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_trace_grows_at_go_s_points_and_evacuates_fully() {
        let t = trace_classic_map(100_000);
        // `cargo xtask mapgrowth --go 1.19 --inserts 100000`'s first and
        // last rows, checked against real Go in gomap's golden tests.
        assert_eq!(t.b[..4], [(1.0, 0.0), (9.0, 1.0), (14.0, 2.0), (27.0, 3.0)]);
        assert_eq!(*t.b.last().unwrap(), (53_249.0, 14.0));
        // One bucket takes 8 entries; past that, a write that would pass
        // 6.5 per bucket doubles first.
        assert!(
            t.load
                .iter()
                .all(|&(x, l)| l <= 6.5 || (x <= 8.0 && l <= 8.0))
        );
        assert!(t.evacuated.iter().any(|&(_, e)| e > 0.0 && e < 1.0));
        assert!(t.evacuated.len() < 20_000, "thinned: {}", t.evacuated.len());
    }

    #[test]
    fn map_loads_rise_to_each_release_s_limit_and_drop_at_each_change() {
        // Past several waves of splits.
        const INSERTS: usize = 20_000;
        for (version, limit) in [(GoVersion::V1_27, 7.0 / 8.0), (GoVersion::V1_19, 6.5 / 8.0)] {
            let rows = growth_rows(version, INSERTS);
            let load = load_points(version, &rows, INSERTS);
            // A small map or a single bucket holds 8 in 8 slots.
            let over: Vec<_> = load
                .iter()
                .filter(|&&(x, l)| l > limit && x > 8.0)
                .collect();
            assert!(over.is_empty(), "{version}: {over:?}");
            // Each run of the same slots is drawn to the insert before the
            // next change, where the load peaks.
            for pair in rows.windows(2) {
                let before = (pair[1].0 - 1) as f64;
                let slots = slots(version, pair[0].1) as f64;
                assert!(
                    load.contains(&(before, before / slots)),
                    "{version}: {pair:?}"
                );
            }
            assert_eq!(load.last().unwrap().0, INSERTS as f64);
            assert!(load.len() < 2_000, "thinned: {}", load.len());
        }
        // The swiss rows are `mapgrowth`'s, checked against real Go 1.27 up
        // to the first split.
        let swiss = growth_rows(GoVersion::V1_27, 897);
        assert_eq!(
            swiss[..3],
            [(1, [0, 0, 8]), (9, [1, 1, 16]), (15, [1, 1, 32])]
        );
        assert_eq!(*swiss.last().unwrap(), (897, [2, 2, 2048]));
    }
}
