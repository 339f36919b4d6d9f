//! Go oracle, from real Go toolchains by `tests/golden/gen` (see
//! `tests/golden/README.md`), compared with this crate's `HashMap<i64, i64>`
//! under the same release's rules:
//!
//! - `B` after `make(map[int64]int64, hint)` for hints 0..2000 and after
//!   each of 100 000 inserts;
//! - step by step, with Go's own hash of every key fed in through a
//!   [`BuildHasher`]: `m[k]++` during growths (as `entry` and as
//!   `get` + `insert`: each must evacuate what Go's `mapassign` does), and
//!   `mapclear` of empty and non-empty maps, comparing `count`, `B`,
//!   `noverflow`, the growth, `nevacuate` and which old buckets are
//!   evacuated after every operation, and every bucket's tophash bytes at
//!   the checkpoints.

use std::cell::RefCell;
use std::collections::HashMap as StdMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::rc::Rc;

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

/// Go's hash of each key, as the golden rows give them: a `BuildHasher`
/// that looks the key up.
#[derive(Clone, Default)]
struct GoHashes(Rc<RefCell<StdMap<i64, u64>>>);

struct GoHashOf {
    table: Rc<RefCell<StdMap<i64, u64>>>,
    key: Option<i64>,
}

impl BuildHasher for GoHashes {
    type Hasher = GoHashOf;
    fn build_hasher(&self) -> GoHashOf {
        GoHashOf {
            table: Rc::clone(&self.0),
            key: None,
        }
    }
}

impl Hasher for GoHashOf {
    fn write(&mut self, bytes: &[u8]) {
        let bytes: [u8; 8] = bytes.try_into().expect("an i64 key");
        self.key = Some(i64::from_ne_bytes(bytes));
    }
    fn finish(&self) -> u64 {
        let key = self.key.expect("a key was hashed");
        self.table.borrow()[&key]
    }
}

type GoMap = HashMap<i64, i64, GoHashes>;

/// The golden row's STATE, from our map.
fn state(m: &GoMap) -> String {
    let (grow, evacuated) = match m.evacuation() {
        None => ("none", String::new()),
        Some(e) => {
            let st = m.go_version().tophash_states();
            let bits: String = m
                .tophash_chains(true)
                .iter()
                .map(|chain| if st.evacuated(chain[0][0]) { '1' } else { '0' })
                .collect();
            (if e.same_size { "same" } else { "double" }, bits)
        }
    };
    format!(
        "count={} B={} noverflow={} grow={grow} nevacuate={} evacuated={evacuated}",
        m.len(),
        m.b(),
        m.noverflow(),
        m.evacuation()
            .map_or("-".to_string(), |e| e.nevacuate.to_string()),
    )
}

/// The golden `layout` row for one of our arrays.
fn layout(m: &GoMap, old: bool) -> String {
    let chains = m.tophash_chains(old);
    if chains.is_empty() {
        return "nil".into();
    }
    let mut out = String::new();
    for (i, chain) in chains.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for (j, bucket) in chain.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            for byte in bucket {
                write!(out, "{byte:02x}").unwrap();
            }
        }
    }
    out
}

/// Replays a `steps` golden file on gomap, with Go's hashes, checking every
/// row; `incr` is how `m[k]++` is done. Returns the rows checked.
fn replay(name: &str, incr: fn(&mut GoMap, i64)) -> usize {
    let text = std::fs::read_to_string(golden_dir().join(name)).expect("golden file");
    let hashes = GoHashes::default();
    let mut m: Option<GoMap> = None;
    let mut checked = 0;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let at = format!("{name}:{}: {line}", n + 1);
        let (head, want) = line.split_at(line.find(" count=").unwrap_or(line.len()));
        let fields: Vec<&str> = head.split_whitespace().collect();
        if fields[0] == "layout" {
            let m = m.as_ref().expect("a map");
            let got = layout(m, fields[1] == "old");
            assert_eq!(got, fields[2..].join(" "), "{at}");
            checked += 1;
            continue;
        }
        let [op, key, hash] = fields[..] else {
            panic!("{at}: bad row");
        };
        let key: i64 = key.parse().unwrap();
        let hash = u64::from_str_radix(hash.trim_start_matches("0x"), 16).unwrap();
        if op != "make" && op != "clear" {
            hashes.0.borrow_mut().insert(key, hash);
        }
        if op == "make" {
            m = Some(HashMap::with_options(
                key as usize,
                hashes.clone(),
                GoVersion::V1_19,
            ));
        }
        let map = m.as_mut().expect("a make row first");
        match op {
            "make" => {}
            "insert" => drop(map.insert(key, key)),
            "delete" => drop(map.remove(&key)),
            "clear" => map.clear(),
            "incr" => incr(map, key),
            _ => panic!("{at}: unknown op"),
        }
        assert_eq!(state(map), want.trim(), "{at}");
        if let Err(e) = map.check_invariants() {
            panic!("{at}: {e}");
        }
        checked += 1;
    }
    checked
}

#[test]
fn incr_with_entry_evacuates_as_go_does() {
    let rows = replay("go1.19_steps_incr.txt", |m, k| {
        *m.entry(k).or_insert(0) += 1;
    });
    assert!(rows > 200, "{rows} rows");
}

#[test]
fn incr_with_get_and_insert_evacuates_as_go_does() {
    let rows = replay("go1.19_steps_incr.txt", |m, k| {
        let v = m.get(&k).copied().unwrap_or(0);
        m.insert(k, v + 1);
    });
    assert!(rows > 200, "{rows} rows");
}

#[test]
fn clear_matches_go_on_empty_and_full_maps() {
    let rows = replay("go1.19_steps_clear.txt", |_, _| {
        unreachable!("no m[k]++ in this file")
    });
    assert!(rows > 600, "{rows} rows");
}
