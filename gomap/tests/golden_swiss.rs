//! Go oracle for the swiss-table map, from real Go 1.24–1.27 by
//! `tests/golden/gen_swiss` (see `tests/golden/README.md`), compared with
//! this crate's `HashMap<i64, i64>` under the same release's rules:
//!
//! - `dirLen`, tables and total capacity after `make(map[int64]int64,
//!   hint)` for hints 0..2000, and after each insert of keys 0..896 (up to
//!   the first split, which does not depend on the hash);
//! - past the first split, with our own hash, the shape of 100 000 inserts
//!   (splits then depend on the seed);
//! - step by step, with Go's own hash of every key fed in through a
//!   [`BuildHasher`]: 8 000 inserts (growth, splits, directory doublings)
//!   and a churn (the small map, an update of a full small map,
//!   tombstones and their reuse, pruning, a new seed when the map empties,
//!   `clear` of a map holding only tombstones, a split among tombstones),
//!   comparing every table's index, local depth, capacity, entries, growth
//!   left and tombstones after every operation, and every control byte at
//!   checkpoints; and a growth to a split among tombstones;
//! - Go's `GroupSize` for a few key and value types.

use std::cell::RefCell;
use std::collections::HashMap as StdMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::rc::Rc;

use gomap::{GoVersion, HashMap, RandomSeed};

const SWISS: [GoVersion; 4] = [
    GoVersion::V1_24,
    GoVersion::V1_25,
    GoVersion::V1_26,
    GoVersion::V1_27,
];

fn golden(name: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(name);
    std::fs::read_to_string(path).ok()
}

/// The rows of a golden file (comments and blank lines dropped).
fn rows(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
}

fn numbers(row: &str) -> Vec<usize> {
    row.split_whitespace()
        .map(|x| x.parse().unwrap_or_else(|_| panic!("bad row {row:?}")))
        .collect()
}

/// `dirLen tables total_capacity` of a map.
fn shape<K, V, S>(m: &HashMap<K, V, S>) -> [usize; 3] {
    [m.dir_len(), m.tables().len(), m.total_capacity()]
}

#[test]
fn make_hint_matches_go() {
    for version in SWISS {
        let text = golden(&format!("{version}_make_hint_swiss.txt"))
            .unwrap_or_else(|| panic!("{version} make golden data missing"));
        let mut n = 0;
        for row in rows(&text) {
            let f = numbers(row);
            let m: HashMap<i64, i64> = HashMap::with_options(f[0], RandomSeed::new(), version);
            assert_eq!(
                shape(&m),
                f[1..],
                "{version}: make(map[int64]int64, {})",
                f[0]
            );
            m.check_invariants().unwrap();
            n += 1;
        }
        assert_eq!(n, 2001, "{version}: hints 0..=2000");
    }
}

/// Our `count dirLen tables total_capacity` rows for keys 0..n.
fn insert_rows(version: GoVersion, n: i64, seed: u64) -> Vec<Vec<usize>> {
    let mut m: HashMap<i64, i64> = HashMap::with_options(0, RandomSeed::fixed(seed), version);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for k in 0..n {
        m.insert(k, k);
        let row = shape(&m);
        if out.last().is_none_or(|last| last[1..] != row) {
            out.push([&[m.len()][..], &row].concat());
        }
    }
    out
}

#[test]
fn inserts_up_to_the_first_split_match_go() {
    for version in SWISS {
        let text = golden(&format!("{version}_inserts_swiss.txt")).unwrap();
        let want: Vec<Vec<usize>> = rows(&text).map(numbers).collect();
        assert_eq!(
            want.last().unwrap(),
            &[897, 2, 2, 2048],
            "{version}: ends at the split"
        );
        for seed in [1, 2] {
            assert_eq!(
                insert_rows(version, 897, seed),
                want,
                "{version} seed {seed}"
            );
        }
    }
}

/// Past the first split the steps depend on the hash; the shape must not:
/// every table has 1 024 slots, the directory is the smallest power of two
/// over the tables' depths, and the counts at which tables split and the
/// directory doubles stay close to Go's.
#[test]
fn inserts_past_the_first_split_have_go_s_shape() {
    let text = golden("go1.27_inserts_100k.txt").unwrap();
    let go: Vec<Vec<usize>> = rows(&text).map(numbers).collect();
    let ours = insert_rows(GoVersion::V1_27, 100_000, 7);
    for rows in [&go, &ours] {
        for r in rows.iter().filter(|r| r[0] >= 897) {
            assert_eq!(r[3], 1024 * r[2], "{r:?}: every table at 1 024 slots");
            assert!(r[1].is_power_of_two() && r[1] >= r[2] / 2, "{r:?}");
        }
    }
    let (g, o) = (go.last().unwrap(), ours.last().unwrap());
    assert_eq!(g[1], o[1], "dirLen at the end: Go {g:?}, ours {o:?}");
    let close = |a: usize, b: usize, pct: usize| a.abs_diff(b) * 100 <= pct * a.max(b);
    assert!(
        close(g[2], o[2], 5),
        "tables at the end: Go {g:?}, ours {o:?}"
    );
    assert!(
        close(go.len(), ours.len(), 5),
        "rows: Go {}, ours {}",
        go.len(),
        ours.len()
    );
    // Where the directory doubled.
    let doublings = |rows: &[Vec<usize>]| -> Vec<usize> {
        rows.windows(2)
            .filter(|w| w[1][1] > w[0][1])
            .map(|w| w[1][0])
            .collect()
    };
    let (gd, od) = (doublings(&go), doublings(&ours));
    assert_eq!(gd.len(), od.len(), "doublings: Go {gd:?}, ours {od:?}");
    for (a, b) in gd.iter().zip(&od) {
        assert!(close(*a, *b, 25), "doublings: Go {gd:?}, ours {od:?}");
    }
}

#[test]
fn group_sizes_match_go() {
    let text = golden("go1.27_group_size.txt").unwrap();
    let want: StdMap<&str, usize> = rows(&text)
        .map(|r| {
            let (name, size) = r.split_once(' ').unwrap();
            (name, size.parse().unwrap())
        })
        .collect();
    /// A small map's one group, less the boxes of an indirect entry.
    fn group_size<K: Eq + std::hash::Hash, V>(key: K, value: V) -> usize {
        let mut m: HashMap<K, V> = HashMap::with_version(0, GoVersion::V1_27);
        m.insert(key, value);
        let boxed = |size: usize| if size > 128 { size } else { 0 };
        m.allocated_bytes() - boxed(size_of::<K>()) - boxed(size_of::<V>())
    }
    let ours = [
        ("map[int64]int64", group_size(0i64, 0i64)),
        ("map[int64]int8", group_size(0i64, 0i8)),
        ("map[int8]int64", group_size(0i8, 0i64)),
        ("map[uint8]uint8", group_size(0u8, 0u8)),
        ("map[uint32]uint8", group_size(0u32, 0u8)),
        ("map[int64]struct{}", group_size(0i64, ())),
        ("map[struct{}]struct{}", group_size((), ())),
        ("map[[200]uint8]uint8", group_size([0u8; 200], 0u8)),
        ("map[uint8][129]uint8", group_size(0u8, [0u8; 129])),
        ("map[[128]uint8]uint8", group_size([0u8; 128], 0u8)),
    ];
    assert_eq!(ours.len(), want.len());
    for (name, size) in ours {
        assert_eq!(Some(&size), want.get(name), "{name}");
    }
}

/// Go's hash of each key under each seed, as the golden rows give them: a
/// `BuildHasher` that looks them up. The map hashes its seed, then the key;
/// it derives its `n`th seed by hashing `n` alone, which this hasher
/// returns as it is — so the map's seed is Go's seed epoch.
#[derive(Clone, Default)]
struct GoHashes(Rc<RefCell<StdMap<(u64, i64), u64>>>);

struct GoHashOf {
    table: Rc<RefCell<StdMap<(u64, i64), u64>>>,
    words: Vec<u64>,
}

impl BuildHasher for GoHashes {
    type Hasher = GoHashOf;
    fn build_hasher(&self) -> GoHashOf {
        GoHashOf {
            table: Rc::clone(&self.0),
            words: Vec::new(),
        }
    }
}

impl Hasher for GoHashOf {
    fn write(&mut self, _: &[u8]) {
        unreachable!("seeds and i64 keys hash as one u64 each")
    }
    fn write_u64(&mut self, i: u64) {
        self.words.push(i);
    }
    fn finish(&self) -> u64 {
        match self.words[..] {
            [n] => n,
            [epoch, key] => *self
                .table
                .borrow()
                .get(&(epoch, key as i64))
                .unwrap_or_else(|| panic!("no Go hash for key {key} in seed epoch {epoch}")),
            _ => panic!("hashed {:?}", self.words),
        }
    }
}

type GoMap = HashMap<i64, i64, GoHashes>;

/// The golden STATE of our map.
fn state(m: &GoMap) -> String {
    let tables = if m.dir_len() == 0 {
        if m.total_capacity() == 0 {
            "nil".to_owned()
        } else {
            "small".to_owned()
        }
    } else {
        m.tables()
            .iter()
            .map(|t| {
                format!(
                    "{}:{}:{}:{}:{}:{}",
                    t.index, t.local_depth, t.capacity, t.used, t.growth_left, t.tombstones
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "used={} epoch={} dirLen={} depth={} tables={tables}",
        m.len(),
        m.seed(),
        m.dir_len(),
        m.global_depth()
    )
}

/// The golden `ctrl` row of our map.
fn ctrl(m: &GoMap) -> String {
    let tables: Vec<String> = m
        .control_bytes()
        .iter()
        .map(|groups| {
            let words: Vec<String> = groups
                .iter()
                .map(|g| {
                    g.iter().fold(String::new(), |mut s, b| {
                        write!(s, "{b:02x}").unwrap();
                        s
                    })
                })
                .collect();
            words.join(".")
        })
        .collect();
    format!("ctrl {}", tables.join("|"))
}

/// What a replay checked.
#[derive(Debug, Default)]
struct Replayed {
    ops: usize,
    states: usize,
    ctrls: usize,
    /// Inserts after which a table had more growth left at the same
    /// capacity: tombstones pruned.
    prunes: usize,
}

/// Replays a `steps` golden file on gomap with Go's hashes, checking every
/// row.
fn replay(name: &str, version: GoVersion) -> Replayed {
    let text = golden(name).unwrap_or_else(|| panic!("{name} missing"));
    let hashes = GoHashes::default();
    let mut m: Option<GoMap> = None;
    let mut epoch = 0u64;
    let mut done = Replayed::default();
    let mut pending_shape_change = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let at = format!("{name}:{}", n + 1);
        let fields: Vec<&str> = line.split(' ').collect();
        match fields[0] {
            "ctrl" => {
                let m = m.as_ref().expect("a map");
                assert_eq!(ctrl(m), line, "{at}");
                m.check_invariants().unwrap_or_else(|e| panic!("{at}: {e}"));
                done.ctrls += 1;
                continue;
            }
            "state" => {
                let m = m.as_ref().expect("a map");
                assert_eq!(state(m), line["state ".len()..], "{at}");
                m.check_invariants().unwrap_or_else(|e| panic!("{at}: {e}"));
                pending_shape_change = false;
                done.states += 1;
                continue;
            }
            _ => {}
        }
        assert!(
            !pending_shape_change,
            "{at}: our tables changed, Go's did not"
        );
        let (op, key, hash, want) = match fields[..] {
            // steps-inserts: "KEY HASH", an insert under seed epoch 0.
            [key, hash] => ("assign", key, hash, None),
            [op, key, hash, ..] => (op, key, hash, Some(fields[3..].join(" "))),
            _ => panic!("{at}: bad row"),
        };
        if hash != "-" {
            let hash = u64::from_str_radix(hash, 16).unwrap();
            let key: i64 = key.parse().unwrap();
            hashes.0.borrow_mut().insert((epoch, key), hash);
        }
        if op == "make" {
            m = Some(HashMap::with_options(
                key.parse().unwrap(),
                hashes.clone(),
                version,
            ));
        }
        let map = m.as_mut().expect("a make row first");
        let before = state(map);
        let tables_before = if map.dir_len() > 0 {
            map.tables()
        } else {
            Vec::new()
        };
        match op {
            "make" => {}
            "assign" => {
                let k: i64 = key.parse().unwrap();
                map.insert(k, k);
            }
            "delete" => drop(map.remove(&key.parse::<i64>().unwrap())),
            "clear" => map.clear(),
            _ => panic!("{at}: unknown op {op}"),
        }
        let after = state(map);
        if op == "assign" && map.dir_len() > 0 {
            let now = map.tables();
            done.prunes += usize::from(
                now.len() == tables_before.len()
                    && now
                        .iter()
                        .zip(&tables_before)
                        .any(|(a, b)| a.capacity == b.capacity && a.growth_left > b.growth_left),
            );
        }
        match want {
            Some(want) => {
                assert_eq!(after, want, "{at}");
                let (_, epoch_now) = want.split_once("epoch=").unwrap();
                epoch = epoch_now.split(' ').next().unwrap().parse().unwrap();
                if map.len() < 2000 {
                    map.check_invariants()
                        .unwrap_or_else(|e| panic!("{at}: {e}"));
                }
            }
            None => {
                // A state row follows exactly when the tables changed.
                let tables = |s: &str| {
                    let t = &s[s.find("dirLen=").unwrap()..];
                    t.split(',')
                        .map(|x| x.splitn(4, ':').take(3).collect::<Vec<_>>().join(":"))
                        .collect::<Vec<_>>()
                };
                pending_shape_change = tables(&before) != tables(&after);
            }
        }
        done.ops += 1;
    }
    done
}

#[test]
fn inserts_step_by_step_match_go_with_go_s_hashes() {
    let done = replay("go1.27_steps_inserts.txt", GoVersion::V1_27);
    assert_eq!(done.ops, 8001);
    assert!(done.states > 20 && done.ctrls == 1, "{done:?}");
}

#[test]
fn a_split_among_tombstones_matches_go_with_go_s_hashes() {
    let done = replay("go1.27_steps_split.txt", GoVersion::V1_27);
    assert!(done.ops > 1500 && done.ctrls > 3, "{done:?}");
}

#[test]
fn churn_step_by_step_matches_go_with_go_s_hashes() {
    for version in SWISS {
        let name = format!("{version}_steps_churn.txt");
        if golden(&name).is_none() {
            continue;
        }
        let done = replay(&name, version);
        assert!(done.ops > 2000 && done.ctrls > 8, "{version}: {done:?}");
        // Go 1.25+ prune tombstones in the sliding window; 1.24 cannot.
        assert_eq!(
            done.prunes > 0,
            version.prunes_tombstones(),
            "{version}: {done:?}"
        );
    }
}

/// The traces tell the releases apart where their rules differ: each
/// release's churn replayed under the next release's rules (or 1.25's
/// under 1.24's) goes wrong at the first step the rules decide.
#[test]
fn each_release_s_rules_are_needed() {
    for (trace, rules, differs_at) in [
        // 1.24 keeps tombstones on `clear` of an empty map; 1.25 prunes.
        (GoVersion::V1_24, GoVersion::V1_25, "clear or pruning"),
        (GoVersion::V1_25, GoVersion::V1_24, "pruning"),
        // 1.26 grows a full small map on an update; 1.27 does not.
        (
            GoVersion::V1_26,
            GoVersion::V1_27,
            "the update of a full small map",
        ),
        (
            GoVersion::V1_27,
            GoVersion::V1_26,
            "the update of a full small map",
        ),
    ] {
        let name = format!("{trace}_steps_churn.txt");
        let replayed = std::panic::catch_unwind(|| replay(&name, rules));
        assert!(
            replayed.is_err(),
            "{trace}'s trace replayed under {rules}'s rules ({differs_at})"
        );
    }
}
