//! Go oracle: `B` after `make(map[int64]int64, hint)` for hints 0..2000 and
//! after each of 100 000 inserts, as recorded from real Go toolchains by
//! `tests/golden/gen/main.go` (see `tests/golden/README.md`), compared with
//! this crate's `HashMap<i64, i64>` under the same release's rules.

use std::path::PathBuf;

use gomap::{GoVersion, HashMap, RandomSeed};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}

/// The `(a, b)` rows of a golden file, or `None` if it is absent.
fn rows(name: &str) -> Option<Vec<(usize, u8)>> {
    let text = std::fs::read_to_string(golden_dir().join(name)).ok()?;
    let rows = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split_whitespace();
            let a = it.next().unwrap().parse().unwrap();
            let b = it.next().unwrap().parse().unwrap();
            assert!(it.next().is_none(), "bad row {l:?}");
            (a, b)
        })
        .collect();
    Some(rows)
}

/// The releases with golden data (1.19 must be there).
fn releases() -> Vec<GoVersion> {
    let found: Vec<GoVersion> = GoVersion::all()
        .filter(|v| golden_dir().join(format!("{v}_make_hint.txt")).exists())
        .collect();
    assert!(
        found.contains(&GoVersion::V1_19),
        "go1.19 golden data missing in {}",
        golden_dir().display()
    );
    found
}

#[test]
fn make_hint_b_matches_go() {
    for version in releases() {
        let rows = rows(&format!("{version}_make_hint.txt")).unwrap();
        assert_eq!(rows.len(), 2001, "{version}: hints 0..=2000");
        for (hint, b) in rows {
            let m: HashMap<i64, i64> = HashMap::with_options(hint, RandomSeed::new(), version);
            assert_eq!(m.b(), b, "{version}: make(map[int64]int64, {hint})");
            assert_eq!(version.make_b(hint), b);
        }
    }
}

/// Our `count B` rows for inserting keys 0..n into an empty map.
fn insert_rows(version: GoVersion, n: i64, seed: u64) -> Vec<(usize, u8)> {
    let mut m: HashMap<i64, i64> = HashMap::with_options(0, RandomSeed::fixed(seed), version);
    let mut out = Vec::new();
    let mut last_b = None;
    for k in 0..n {
        m.insert(k, k);
        if last_b != Some(m.b()) {
            out.push((m.len(), m.b()));
            last_b = Some(m.b());
        }
    }
    out
}

#[test]
fn insert_growth_matches_go() {
    for version in releases() {
        let Some(want) = rows(&format!("{version}_inserts.txt")) else {
            continue;
        };
        for seed in [1, 2] {
            assert_eq!(
                insert_rows(version, 100_000, seed),
                want,
                "{version} seed {seed}"
            );
        }
    }
}
