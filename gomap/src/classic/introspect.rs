//! Introspection of the classic map for people who study it: `hmap`'s
//! fields (`B`, `count`, `noverflow`, `nevacuate`, the `sameSizeGrow`
//! flag), derived figures (load factor, overflow-chain histogram, bytes
//! allocated), a text dump of the buckets, and the invariant checker the
//! tests run after every operation. Models the state of Go 1.19
//! `runtime/map.go`'s `hmap`/`bmap`. (`HashMap`'s methods that show them
//! are in `introspect.rs`.)

use std::fmt::{self, Write as _};

use crate::classic::bucket::BucketArray;
use crate::classic::raw::RawTable;
use crate::shape::Shape;
use crate::version::{BUCKET_CNT, bucket_shift};

/// How far a growth has come (`nevacuate` of `noldbuckets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evacuation {
    /// `nevacuate`: every old bucket below it has been evacuated.
    pub nevacuate: usize,
    /// Old buckets evacuated so far (some above `nevacuate` may be done too).
    pub evacuated: usize,
    /// Buckets in the old array.
    pub old_buckets: usize,
    /// Same-size growth (too many overflow buckets) rather than doubling.
    pub same_size: bool,
}

/// A snapshot of a classic map's shape (Go's `hmap`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassicStats {
    /// `count`.
    pub count: usize,
    /// `B`.
    pub b: u8,
    /// `noverflow` (Go's approximate counter).
    pub noverflow: u16,
    /// Overflow buckets actually linked into the current array.
    pub overflow_buckets: usize,
    /// `count / 2^B`.
    pub load_factor: f64,
    /// The growth in progress, if any.
    pub evacuation: Option<Evacuation>,
    /// Bytes allocated for bucket arrays (and boxed keys/values).
    pub allocated_bytes: usize,
}

impl fmt::Display for ClassicStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "count={} B={} buckets={} load={:.2} noverflow={} overflow_buckets={}",
            self.count,
            self.b,
            bucket_shift(self.b),
            self.load_factor,
            self.noverflow,
            self.overflow_buckets
        )?;
        match self.evacuation {
            Some(e) => write!(
                f,
                " growing={} nevacuate={}/{} evacuated={}",
                if e.same_size { "same-size" } else { "double" },
                e.nevacuate,
                e.old_buckets,
                e.evacuated
            ),
            None => f.write_str(" growing=no"),
        }
    }
}

fn chain_len<K, V>(arr: &BucketArray<K, V>, head: usize) -> usize {
    let mut n = 0;
    let mut idx = head;
    while let Some(next) = arr.overflow(idx) {
        n += 1;
        idx = next;
    }
    n
}

impl<K, V> RawTable<K, V> {
    pub(crate) fn evacuation(&self) -> Option<Evacuation> {
        let old = self.oldbuckets.as_ref()?;
        let evacuated = (0..old.base())
            .filter(|&i| self.st.evacuated(old.tophash(i, 0)))
            .count();
        Some(Evacuation {
            nevacuate: self.nevacuate,
            evacuated,
            old_buckets: old.base(),
            same_size: self.same_size_grow,
        })
    }

    pub(crate) fn overflow_buckets(&self) -> usize {
        (0..self.buckets.base())
            .map(|h| chain_len(&self.buckets, h))
            .sum()
    }

    pub(crate) fn allocated_bytes(&self) -> usize {
        let arrays = self.buckets.allocated_bytes()
            + self
                .oldbuckets
                .as_ref()
                .map_or(0, BucketArray::allocated_bytes);
        let boxed = if Shape::<K, V>::INDIRECT_KEY {
            size_of::<K>()
        } else {
            0
        } + if Shape::<K, V>::INDIRECT_ELEM {
            size_of::<V>()
        } else {
            0
        };
        arrays + boxed * self.count
    }
}

impl<K, V> RawTable<K, V> {
    /// `count / 2^B`.
    pub(crate) fn load_factor(&self) -> f64 {
        self.count as f64 / bucket_shift(self.b) as f64
    }

    /// `hist[n]` = number of main buckets with `n` overflow buckets chained.
    pub(crate) fn overflow_histogram(&self) -> Vec<usize> {
        let arr = &self.buckets;
        let mut hist = vec![0usize; 1];
        for head in 0..arr.base() {
            let n = chain_len(arr, head);
            if hist.len() <= n {
                hist.resize(n + 1, 0);
            }
            hist[n] += 1;
        }
        if arr.is_nil() {
            hist[0] = 1; // B = 0 with its bucket not yet allocated
        }
        hist
    }

    /// Every chain's tophash bytes, of the current array or the old one.
    pub(crate) fn tophash_chains(&self, old: bool) -> Vec<Vec<[u8; BUCKET_CNT]>> {
        let arr = if old {
            match &self.oldbuckets {
                Some(arr) => arr,
                None => return Vec::new(),
            }
        } else {
            &self.buckets
        };
        (0..arr.base())
            .map(|head| {
                let mut chain = vec![arr.tophashes(head)];
                let mut idx = head;
                while let Some(next) = arr.overflow(idx) {
                    chain.push(arr.tophashes(next));
                    idx = next;
                }
                chain
            })
            .collect()
    }

    /// All of the figures in one value.
    pub(crate) fn stats(&self) -> ClassicStats {
        ClassicStats {
            count: self.count,
            b: self.b,
            noverflow: self.noverflow,
            overflow_buckets: self.overflow_buckets(),
            load_factor: self.load_factor(),
            evacuation: self.evacuation(),
            allocated_bytes: self.allocated_bytes(),
        }
    }
}

fn dump_array<K: fmt::Debug, V: fmt::Debug>(
    out: &mut String,
    raw: &RawTable<K, V>,
    arr: &BucketArray<K, V>,
) {
    for head in 0..arr.base() {
        let mut idx = head;
        let mut first = true;
        loop {
            let th = arr.tophashes(idx);
            let cells: Vec<String> = th
                .iter()
                .map(|&t| {
                    if t >= raw.st.min_top_hash {
                        format!("{t:02x}")
                    } else if Some(t) == raw.st.empty_rest {
                        "..".into()
                    } else if t == raw.st.empty_one {
                        "__".into()
                    } else if t == raw.st.evacuated_x {
                        "eX".into()
                    } else if t == raw.st.evacuated_y {
                        "eY".into()
                    } else {
                        "e_".into()
                    }
                })
                .collect();
            let label = if first {
                format!("  [{head:>3}]")
            } else {
                format!("   ovf#{idx}")
            };
            let _ = write!(out, "{label} {}", cells.join(" "));
            match arr.overflow(idx) {
                Some(n) => {
                    let _ = writeln!(out, " -> ovf#{n}");
                }
                None => out.push('\n'),
            }
            for i in 0..BUCKET_CNT {
                if arr.is_live(idx, i) {
                    let (k, v) = arr.entry(idx, i);
                    let _ = writeln!(out, "          {i}: {k:?} => {v:?}");
                }
            }
            first = false;
            match arr.overflow(idx) {
                Some(n) => idx = n,
                None => break,
            }
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> RawTable<K, V> {
    /// The text of `HashMap::dump` for a classic map.
    pub(crate) fn dump(&self) -> String {
        let mut out = format!("hmap {} {}\n", self.version, self.stats());
        let _ = writeln!(out, "buckets (2^{} = {}):", self.b, self.buckets.base());
        dump_array(&mut out, self, &self.buckets);
        if let Some(old) = &self.oldbuckets {
            let _ = writeln!(
                out,
                "oldbuckets ({}), nevacuate={}:",
                old.base(),
                self.nevacuate
            );
            dump_array(&mut out, self, old);
        }
        out
    }
}

impl<K: Eq, V> RawTable<K, V> {
    /// Checks the structural invariants of `hmap`; `Err` says which broke.
    /// `hash` is the map's hash of a key.
    ///
    /// - `count` equals the live slots (new array plus not-yet-evacuated old
    ///   buckets), and evacuated old buckets hold none;
    /// - every live entry sits in the chain its hash names (low `B` bits, or
    ///   the old mask in the old array), with `tophash(hash)` in its slot;
    /// - every live key is found by lookup at exactly its own slot (so no key
    ///   is in two places);
    /// - tophash states: no `evacuated*` state in the new array; an old
    ///   bucket is evacuated iff its whole chain is in `evacuated*` states;
    ///   from Go 1.12, after an `emptyRest` the chain holds only `emptyRest`;
    /// - growth: old buckets below `nevacuate` are evacuated, `nevacuate` is
    ///   below the old size while growing, the same-size flag is off when not
    ///   growing, and below `B = 16` `noverflow` counts exactly the overflow
    ///   buckets of the current array.
    pub(crate) fn check_invariants(&self, hash_of: impl Fn(&K) -> u64) -> Result<(), String> {
        let raw = self;
        let st = raw.st;
        let mut live = 0usize;
        let arrays = [(false, Some(&raw.buckets)), (true, raw.oldbuckets.as_ref())];
        for (old, arr) in arrays {
            let Some(arr) = arr else { continue };
            let mask = if old {
                raw.noldbuckets() - 1
            } else {
                raw.mask()
            };
            if !arr.is_nil() && arr.base() != mask + 1 {
                return Err(format!(
                    "array (old={old}) has {} buckets, want {}",
                    arr.base(),
                    mask + 1
                ));
            }
            for head in 0..arr.base() {
                let evacuated = old && st.evacuated(arr.tophash(head, 0));
                let mut idx = head;
                let mut seen_rest = false;
                loop {
                    for i in 0..BUCKET_CNT {
                        let t = arr.tophash(idx, i);
                        let is_evac_state =
                            t == st.evacuated_x || t == st.evacuated_y || t == st.evacuated_empty;
                        if evacuated != is_evac_state {
                            return Err(format!(
                                "bucket {head} (old={old}) slot {i} of #{idx}: tophash {} in a bucket that is{} evacuated",
                                st.name(t),
                                if evacuated { "" } else { " not" }
                            ));
                        }
                        if seen_rest && Some(t) != st.empty_rest {
                            return Err(format!(
                                "bucket {head} (old={old}): {} after emptyRest at #{idx} slot {i}",
                                st.name(t)
                            ));
                        }
                        if Some(t) == st.empty_rest {
                            seen_rest = true;
                        }
                        if t < st.min_top_hash {
                            continue;
                        }
                        live += 1;
                        let key = arr.key(idx, i);
                        let hash = hash_of(key);
                        if hash as usize & mask != head {
                            return Err(format!(
                                "entry at bucket {head} (old={old}) #{idx} slot {i} hashes to bucket {}",
                                hash as usize & mask
                            ));
                        }
                        if st.tophash(hash) != t {
                            return Err(format!(
                                "slot tophash {t:#x} != tophash(hash) {:#x}",
                                st.tophash(hash)
                            ));
                        }
                        match raw.find(hash, |k| k == key) {
                            Some(p) if p.old == old && p.idx == idx && p.slot == i => {}
                            other => {
                                return Err(format!(
                                    "key at bucket {head} (old={old}) #{idx} slot {i} found at {other:?}"
                                ));
                            }
                        }
                    }
                    match arr.overflow(idx) {
                        Some(n) => idx = n,
                        None => break,
                    }
                }
            }
        }
        if live != raw.count {
            return Err(format!("count {} but {live} live slots", raw.count));
        }
        match &raw.oldbuckets {
            Some(old) => {
                if raw.nevacuate >= old.base() {
                    return Err(format!(
                        "growing with nevacuate {} of {}",
                        raw.nevacuate,
                        old.base()
                    ));
                }
                if let Some(i) = (0..raw.nevacuate).find(|&i| !st.evacuated(old.tophash(i, 0))) {
                    return Err(format!(
                        "old bucket {i} below nevacuate {} not evacuated",
                        raw.nevacuate
                    ));
                }
            }
            None => {
                if raw.same_size_grow {
                    return Err("sameSizeGrow set while not growing".into());
                }
            }
        }
        if raw.b < 16 && usize::from(raw.noverflow) != raw.overflow_buckets() {
            return Err(format!(
                "noverflow {} but {} overflow buckets",
                raw.noverflow,
                raw.overflow_buckets()
            ));
        }
        Ok(())
    }
}
