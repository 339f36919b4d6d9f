//! Growth behaviour tests: iteration mid-growth yields every key exactly
//! once, iteration starts at random places, churn triggers same-size growth,
//! evacuation is incremental (two old buckets per write at most), lookups
//! read not-yet-evacuated old buckets, and indirect (>128-byte) keys and
//! values work. Models Go 1.19 `runtime/map.go` (`hashGrow`, `growWork`,
//! `evacuate`, `mapiterinit`).

use std::collections::HashSet;

use gomap::{GoVersion, HashMap, RandomSeed};

/// Inserts fresh keys until a doubling has just started.
fn map_mid_doubling(n_min: u64) -> HashMap<u64, u64> {
    let mut m = HashMap::with_options(0, RandomSeed::fixed(99), GoVersion::V1_19);
    let mut k = 0;
    while !(k >= n_min && m.is_growing()) {
        m.insert(k, k * 10);
        k += 1;
    }
    m
}

#[test]
fn iteration_during_growth_yields_each_key_once() {
    let mut m = map_mid_doubling(5000);
    let keys: HashSet<u64> = (0..m.len() as u64).collect();
    // Advance evacuation a bit with writes of existing keys, checking at
    // every stage that iteration sees each key exactly once.
    let mut stages = 0;
    while m.is_growing() {
        let e = m.evacuation().unwrap();
        assert!(!e.same_size);
        let mut seen = HashSet::new();
        for (k, v) in m.iter() {
            assert!(
                seen.insert(*k),
                "key {k} yielded twice (nevacuate {})",
                e.nevacuate
            );
            assert_eq!(*v, k * 10);
        }
        assert_eq!(seen, keys, "nevacuate {} of {}", e.nevacuate, e.old_buckets);
        let mut muts = 0;
        for (_, v) in m.iter_mut() {
            *v += 0;
            muts += 1;
        }
        assert_eq!(muts, keys.len());
        // Rewriting an existing key runs growWork: evacuation progresses.
        let k = stages * 37 % keys.len() as u64;
        m.insert(k, k * 10);
        m.check_invariants().unwrap();
        stages += 1;
    }
    assert!(
        stages > 10,
        "growth finished too fast to observe ({stages} stages)"
    );
}

#[test]
fn evacuation_moves_at_most_two_buckets_per_write() {
    let mut m = map_mid_doubling(1000);
    // hashGrow only allocates; the insert that triggered it then runs
    // growWork (`goto again`), evacuating at most two old buckets.
    let mut last = m.evacuation().unwrap().evacuated;
    assert!(
        last <= 2,
        "{last} buckets evacuated by the triggering insert"
    );
    while let Some(e) = m.evacuation() {
        assert!(e.evacuated <= last + 2, "{} -> {}", last, e.evacuated);
        assert!(e.nevacuate <= e.evacuated);
        last = e.evacuated;
        // A lookup never evacuates.
        assert!(m.get(&3).is_some());
        assert_eq!(m.evacuation().map(|e| e.evacuated), Some(last));
        m.remove(&u64::MAX); // a delete of an absent key still does growth work
    }
    m.check_invariants().unwrap();
}

#[test]
fn entry_does_the_growth_work_insert_does() {
    // The same writes through insert and through entry, on two maps with
    // one seed: after each, the two maps are the same bucket for bucket
    // (every tophash of every chain, old buckets too, and the counters).
    for version in [GoVersion::V1_9, GoVersion::V1_19, GoVersion::V1_23] {
        let mut by_insert: HashMap<u64, u64> =
            HashMap::with_options(0, RandomSeed::fixed(11), version);
        let mut by_entry = by_insert.clone();
        let mut growing_steps = 0;
        for i in 0..5000u64 {
            // Mostly updates of present keys (m[k]++), some new keys, some
            // deletes.
            let k = if i % 5 == 0 {
                i
            } else {
                i * 7919 % (i / 2 + 1)
            };
            if i % 11 == 0 {
                by_insert.remove(&k);
                if let gomap::Entry::Occupied(o) = by_entry.entry(k) {
                    o.remove();
                }
            } else {
                let v = by_insert.get(&k).map_or(0, |v| v + 1);
                by_insert.insert(k, v);
                by_entry.entry(k).and_modify(|v| *v += 1).or_insert(0);
            }
            growing_steps += usize::from(by_insert.is_growing());
            let shape = |m: &HashMap<u64, u64>| {
                (m.stats(), m.tophash_chains(false), m.tophash_chains(true))
            };
            assert_eq!(shape(&by_entry), shape(&by_insert), "{version} step {i}");
        }
        assert!(
            growing_steps > 100,
            "{version}: {growing_steps} steps mid-growth"
        );
    }
}

#[test]
fn random_iteration_start() {
    for version in [GoVersion::V1_19, GoVersion::V1_27] {
        let mut m: HashMap<u64, ()> = HashMap::with_version(0, version);
        m.extend((0..10_000u64).map(|k| (k, ())));
        let firsts: HashSet<u64> = (0..20).map(|_| *m.keys().next().unwrap()).collect();
        assert!(
            firsts.len() > 1,
            "{version}: 20 iterations all started at the same key"
        );
        let starts: HashSet<(usize, usize)> = (0..20).map(|_| m.iter().start()).collect();
        assert!(starts.len() > 1, "{version}");
        // The classic map starts at a bucket and an offset in it; the swiss
        // map at a directory entry and a slot offset in its table.
        let (places, offsets) = if m.is_swiss() {
            (m.dir_len(), 1024)
        } else {
            (m.bucket_count(), 8)
        };
        assert!(
            starts.iter().all(|&(p, off)| p < places && off < offsets),
            "{version}: {starts:?}"
        );
    }
}

#[test]
fn churn_triggers_same_size_growth() {
    // Insert/delete cycles: each round inserts fresh keys and deletes the
    // previous round's, so the count stays small (no doubling) while
    // overflow buckets accumulate until tooManyOverflowBuckets fires.
    let mut m: HashMap<u64, u64> = HashMap::with_options(0, RandomSeed::fixed(5), GoVersion::V1_19);
    let mut same_size_seen = 0;
    let mut next = 0u64;
    for round in 0..400 {
        let start = next;
        for _ in 0..100 {
            m.insert(next, next);
            next += 1;
            if m.is_same_size_grow() {
                same_size_seen += 1;
            }
        }
        if round > 0 {
            for k in start - 100..start {
                m.remove(&k);
            }
        }
        m.check_invariants().unwrap();
    }
    assert!(same_size_seen > 0, "no same-size growth: {}", m.stats());
    assert!(m.b() <= 10, "churn should not keep doubling: {}", m.stats());
}

#[test]
fn lookups_read_old_buckets_not_yet_evacuated() {
    let m = map_mid_doubling(2000);
    let e = m.evacuation().unwrap();
    assert!(e.evacuated < e.old_buckets);
    for k in 0..m.len() as u64 {
        assert_eq!(m.get(&k), Some(&(k * 10)));
    }
    assert!(m.dump().contains("oldbuckets"));
}

#[test]
fn indirect_keys_and_values_over_128_bytes() {
    #[derive(Clone, PartialEq, Eq, Hash, Debug)]
    struct Big([u64; 20]); // 160 bytes
    for version in [GoVersion::V1_19, GoVersion::V1_27] {
        let mut m: HashMap<Big, Big> = HashMap::with_options(0, RandomSeed::fixed(3), version);
        for i in 0..500u64 {
            m.insert(Big([i; 20]), Big([i + 1; 20]));
        }
        for i in (0..500u64).step_by(3) {
            assert_eq!(m.remove(&Big([i; 20])), Some(Big([i + 1; 20])));
        }
        m.check_invariants().unwrap();
        let c = m.clone();
        assert_eq!(c, m);
        assert_eq!(m.get(&Big([1; 20])), Some(&Big([2; 20])));
        // 8 slots of 8-byte pointers each for keys and values: small
        // buckets or groups, plus one box per key and value.
        let slots = if m.is_swiss() {
            m.total_capacity()
        } else {
            m.bucket_count() * 8
        };
        assert!(
            m.allocated_bytes() < slots * 2 * 25 + 500 * 320,
            "{version}"
        );
    }
}

#[test]
fn old_releases_use_old_tophash_states() {
    let mut m: HashMap<u64, u64> = HashMap::with_options(0, RandomSeed::fixed(1), GoVersion::V1_9);
    for k in 0..200 {
        m.insert(k, k);
    }
    for k in 0..150 {
        m.remove(&k);
    }
    m.check_invariants().unwrap();
    let dump = m.dump();
    assert!(dump.starts_with("hmap go1.9"));
    assert!(!dump.contains(".."), "Go 1.9 has no emptyRest:\n{dump}");
    let mut n = HashMap::with_options(0, RandomSeed::fixed(1), GoVersion::V1_19);
    n.extend((0..200u64).map(|k| (k, k)));
    for k in 0..150 {
        n.remove(&k);
    }
    assert!(n.dump().contains(".."), "Go 1.19 marks emptyRest");
}

#[test]
fn clone_keeps_the_layout() {
    let m = map_mid_doubling(300);
    let c = m.clone();
    assert_eq!(c.dump(), m.dump());
    c.check_invariants().unwrap();
}

#[test]
fn drain_and_retain() {
    let mut m: HashMap<u32, String> = HashMap::with_version(0, GoVersion::V1_19);
    m.extend((0..1000).map(|i| (i, i.to_string())));
    m.retain(|k, _| k % 3 == 0);
    assert_eq!(m.len(), 334);
    m.check_invariants().unwrap();
    let b = m.b();
    let mut drained: Vec<u32> = m.drain().map(|(k, _)| k).collect();
    drained.sort_unstable();
    assert_eq!(
        drained,
        (0..1000).filter(|k| k % 3 == 0).collect::<Vec<_>>()
    );
    assert!(m.is_empty());
    assert_eq!(m.b(), b);
    m.check_invariants().unwrap();
    m.insert(1, "x".into());
    assert_eq!(m[&1], "x");
}

#[test]
#[should_panic(expected = "key not found")]
fn index_of_missing_key_panics() {
    let m: HashMap<u32, u32> = HashMap::new();
    let _ = m[&1];
}

#[test]
fn display_is_gos_format() {
    let m: HashMap<&str, i32> = [("b", 2), ("a", 1), ("c", 3)].into_iter().collect();
    assert_eq!(m.to_string(), "map[a:1 b:2 c:3]");
    let e: HashMap<u8, u8> = HashMap::new();
    assert_eq!(e.to_string(), "map[]");
    assert!(format!("{m:?}").contains("\"a\": 1"));
}
