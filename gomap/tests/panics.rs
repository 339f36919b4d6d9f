//! A `Hash` or `Eq` that panics must not corrupt the map. That is Rust's
//! promise for user code that panics inside a collection (std and hashbrown
//! keep it): the operation may be lost, entries that were there may not.
//!
//! The swiss map (Go 1.24+) grows all at once, so its sweep stops the map
//! before every insert that grew, split, rehashed or pruned a table (or
//! turned the small map into a table), with that insert's key as the
//! fresh one; there a panic in any of the keys the growth rehashes must
//! leave the map as it was. Tables of up to 1 024 slots hash hundreds of
//! keys in one growth, so at most [`FAULTS_PER_OP`] of an operation's
//! calls (evenly spaced, the first and last among them) are faulted.
//!
//! The sweep: for Go 1.9, 1.19 and 1.23 rules, small and indirect (over 128
//! bytes) keys and values, and a spreading hasher and two clumping ones,
//! the map is stopped at every point of every growth a run of inserts and
//! deletes goes through (doubling, same-size, old chains of over eight
//! buckets). There, every operation is run once to
//! count the `Hash` and `Eq` calls it makes, then again once for each of
//! those calls with that call panicking — in the key's hash at the start,
//! in each key of each old chain that `growWork` evacuates, in the equality
//! tests of the lookup. After each panic:
//!
//! - `check_invariants` holds;
//! - what iteration yields is exactly `len()` entries, no key twice;
//! - the entries are those before the operation (or, for operations made of
//!   several steps — `extend`, `retain`, `iter_mut` — each entry as before
//!   or as after, none the operation would keep lost), each found by `get`;
//! - the map keeps working: writes finish the growth, with the same entries;
//! - every key and value (each instance, clones included) is dropped
//!   exactly once: never twice, none left over.
//!
//! `GOMAP_SWEEP_STATES=N` sweeps at most N evenly spaced states per drive
//! (for valgrind; the default is all of them).
//!
//! Go's `evacuate` hashes each key as it moves it; a panic there (Rust's
//! `Hash` may panic, Go's hashers cannot once the key is in the map) would
//! leave an old bucket marked evacuated with entries still in it.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};

use gomap::{GoVersion, HashMap, RandomSeed};

/// The payload of an injected panic (the panic hook stays quiet for it).
struct Injected;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Hash = 0,
    Eq = 1,
}

thread_local! {
    /// Calls made so far, per kind.
    static CALLS: Cell<[u64; 2]> = const { Cell::new([0; 2]) };
    /// The call that panics: (kind, its number among that kind's calls).
    static FAULT: Cell<Option<(Call, u64)>> = const { Cell::new(None) };
    /// The key and value instances alive (a bit per serial number), and
    /// their count and serials' sum (kept as they change: cheap to compare).
    static LIVE: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
    static LIVE_TALLY: Cell<(usize, u64)> = const { Cell::new((0, 0)) };
    static NEXT_SERIAL: Cell<u64> = const { Cell::new(0) };
    /// Instances dropped twice.
    static DOUBLE_DROPS: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Counts a user-code call, panicking if it is the armed one.
fn user_call(kind: Call) {
    let mut calls = CALLS.get();
    let n = calls[kind as usize];
    calls[kind as usize] += 1;
    CALLS.set(calls);
    if FAULT.get() == Some((kind, n)) {
        panic::panic_any(Injected);
    }
}

/// Runs `f` with the counters at zero and `fault` armed; returns the calls
/// made and whether `f` panicked (with an injected panic: any other
/// propagates).
fn with_fault<R>(fault: Option<(Call, u64)>, f: impl FnOnce() -> R) -> ([u64; 2], Option<R>) {
    CALLS.set([0; 2]);
    FAULT.set(fault);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    FAULT.set(None);
    let calls = CALLS.get();
    match result {
        Ok(r) => (calls, Some(r)),
        Err(payload) if payload.is::<Injected>() => (calls, None),
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// An instance whose drop is accounted for.
struct Tracked(u64);

impl Tracked {
    fn new() -> Self {
        let serial = NEXT_SERIAL.get();
        NEXT_SERIAL.set(serial + 1);
        LIVE.with_borrow_mut(|live| {
            let word = (serial / 64) as usize;
            if live.len() <= word {
                live.resize(word + 1, 0);
            }
            live[word] |= 1 << (serial % 64);
        });
        let (n, sum) = LIVE_TALLY.get();
        LIVE_TALLY.set((n + 1, sum + serial));
        Tracked(serial)
    }
}

impl Clone for Tracked {
    fn clone(&self) -> Self {
        Tracked::new()
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let was_live = LIVE.with_borrow_mut(|live| {
            let (word, bit) = (&mut live[(self.0 / 64) as usize], 1 << (self.0 % 64));
            let was = *word & bit != 0;
            *word &= !bit;
            was
        });
        if was_live {
            let (n, sum) = LIVE_TALLY.get();
            LIVE_TALLY.set((n - 1, sum - self.0));
        } else {
            DOUBLE_DROPS.with_borrow_mut(|d| d.push(self.0));
        }
    }
}

/// Instances alive: how many, and the sum of their serials.
fn live() -> (usize, u64) {
    LIVE_TALLY.get()
}

/// A key whose `Hash` and `Eq` may panic; `PAD` bytes make it indirect
/// (boxed in its slot) when it passes 128 bytes.
#[derive(Clone)]
struct Key<const PAD: usize> {
    id: u64,
    _tracked: Tracked,
    _pad: [u8; PAD],
}

impl<const PAD: usize> Key<PAD> {
    fn new(id: u64) -> Self {
        Key {
            id,
            _tracked: Tracked::new(),
            _pad: [0; PAD],
        }
    }
}

impl<const PAD: usize> Hash for Key<PAD> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        user_call(Call::Hash);
        state.write_u64(self.id);
    }
}

impl<const PAD: usize> PartialEq for Key<PAD> {
    fn eq(&self, other: &Self) -> bool {
        user_call(Call::Eq);
        self.id == other.id
    }
}

impl<const PAD: usize> Eq for Key<PAD> {}

/// A value: an id to check it by, and its drop accounted for.
#[derive(Clone)]
struct Val<const PAD: usize> {
    vid: u64,
    _tracked: Tracked,
    _pad: [u8; PAD],
}

impl<const PAD: usize> Val<PAD> {
    fn new(vid: u64) -> Self {
        Val {
            vid,
            _tracked: Tracked::new(),
            _pad: [0; PAD],
        }
    }
}

/// Hashers that cluster keys by their id (`write_u64` gives the id).
#[derive(Clone, Copy)]
enum IdHashes {
    /// The low four bits always zero: with `B <= 4` every key shares one
    /// chain, so old chains run to many overflow buckets (past the eight
    /// whose X/Y decisions evacuation keeps on the stack), while higher
    /// bits still split doublings into X and Y.
    Clumped,
    /// Each run of 16 consecutive ids to one bucket (while `B <= 8`): a
    /// window of keys sliding over the ids (insert the newest, delete the
    /// oldest) leaves overflow buckets behind it in every bucket until
    /// `tooManyOverflowBuckets` starts a same-size growth.
    Windowed,
}

struct IdHasher {
    id: u64,
    kind: IdHashes,
}

impl BuildHasher for IdHashes {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher { id: 0, kind: *self }
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, _: &[u8]) {
        unreachable!("keys hash one u64")
    }
    fn write_u64(&mut self, i: u64) {
        self.id = i;
    }
    fn finish(&self) -> u64 {
        let spread = self.id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        match self.kind {
            IdHashes::Clumped => spread & !0xf,
            IdHashes::Windowed => (spread & !0xff) | (self.id >> 4 & 0xff),
        }
    }
}

type Map<const KP: usize, const VP: usize, S> = HashMap<Key<KP>, Val<VP>, S>;

/// Every operation that hashes a key or compares two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    InsertNew,
    InsertOld,
    RemoveOld,
    RemoveAbsent,
    EntryOldModify,
    EntryNewInsert,
    EntryOldRemove,
    Get,
    GetMut,
    Iter,
    IterMut,
    Retain,
    Extend,
    Drain,
    IntoIter,
}

const OPS: [Op; 15] = [
    Op::InsertNew,
    Op::InsertOld,
    Op::RemoveOld,
    Op::RemoveAbsent,
    Op::EntryOldModify,
    Op::EntryNewInsert,
    Op::EntryOldRemove,
    Op::Get,
    Op::GetMut,
    Op::Iter,
    Op::IterMut,
    Op::Retain,
    Op::Extend,
    Op::Drain,
    Op::IntoIter,
];

impl Op {
    /// Does the operation touch the `old` key it is given?
    fn uses_old_key(self) -> bool {
        matches!(
            self,
            Op::InsertOld
                | Op::RemoveOld
                | Op::EntryOldModify
                | Op::EntryOldRemove
                | Op::Get
                | Op::GetMut
        )
    }

    /// Made of several steps, each of which may be done when a later one
    /// panics.
    fn is_stepwise(self) -> bool {
        matches!(self, Op::IterMut | Op::Retain | Op::Extend)
    }

    /// Applies the operation to `m`; `old` is a key in the map, `fresh` ids
    /// are not.
    fn apply<const KP: usize, const VP: usize, S: BuildHasher + Clone>(
        self,
        m: &mut Map<KP, VP, S>,
        old: u64,
        fresh: u64,
    ) {
        match self {
            Op::InsertNew => drop(m.insert(Key::new(fresh), Val::new(fresh))),
            Op::InsertOld => drop(m.insert(Key::new(old), Val::new(old + 1_000_000))),
            Op::RemoveOld => drop(m.remove(&Key::new(old))),
            Op::RemoveAbsent => drop(m.remove(&Key::new(fresh))),
            Op::EntryOldModify => {
                m.entry(Key::new(old))
                    .and_modify(|v| v.vid += 1_000_000)
                    .or_insert_with(|| unreachable!("the key is present"));
            }
            Op::EntryNewInsert => {
                m.entry(Key::new(fresh)).or_insert_with(|| Val::new(fresh));
            }
            Op::EntryOldRemove => match m.entry(Key::new(old)) {
                gomap::Entry::Occupied(o) => drop(o.remove_entry()),
                gomap::Entry::Vacant(_) => unreachable!("the key is present"),
            },
            Op::Get => assert!(m.get(&Key::new(old)).is_some()),
            Op::GetMut => m.get_mut(&Key::new(old)).unwrap().vid += 1_000_000,
            Op::Iter => assert_eq!(m.iter().count(), m.len()),
            Op::IterMut => m.values_mut().for_each(|v| v.vid += 1_000_000),
            Op::Retain => m.retain(|k, _| k.id % 3 != 0),
            Op::Extend => m.extend((0..3).map(|i| {
                let id = fresh + i * 10_000;
                (Key::new(id), Val::new(id))
            })),
            Op::Drain => assert!(m.drain().all(|(k, v)| k.id == v.vid % 1_000_000)),
            Op::IntoIter => {
                let empty = HashMap::with_options(0, m.hasher().clone(), m.go_version());
                let taken = std::mem::replace(m, empty);
                assert!(taken.into_iter().all(|(k, v)| k.id == v.vid % 1_000_000));
            }
        }
    }
}

/// The map's entries as `id -> vid`, read without user-code faults; checks
/// that iteration yields `len()` entries and no key twice.
fn contents<const KP: usize, const VP: usize, S: BuildHasher>(
    m: &Map<KP, VP, S>,
) -> Result<BTreeMap<u64, u64>, String> {
    let mut out = BTreeMap::new();
    let mut yielded = 0;
    for (k, v) in m.iter() {
        yielded += 1;
        if out.insert(k.id, v.vid).is_some() {
            return Err(format!("key {} yielded twice", k.id));
        }
    }
    if yielded != m.len() {
        return Err(format!(
            "len() is {} but iteration yields {yielded}",
            m.len()
        ));
    }
    Ok(out)
}

/// The checks after an operation that panicked (or not, when `panicked`
/// is false: then the map must hold `post`).
fn check_after<const KP: usize, const VP: usize, S: BuildHasher>(
    m: &mut Map<KP, VP, S>,
    op: Op,
    panicked: bool,
    pre: &BTreeMap<u64, u64>,
    post: &BTreeMap<u64, u64>,
) -> Result<(), String> {
    m.check_invariants()?;
    let now = contents(m)?;
    if !panicked || op == Op::IntoIter {
        // An into_iter that panicked has consumed the map: its entries were
        // dropped (the drop accounting checks that); `m` is the new one.
        let want = if panicked { &BTreeMap::new() } else { post };
        if &now != want {
            return Err(format!("holds {now:?}, want {want:?}"));
        }
    } else if !op.is_stepwise() {
        if &now != pre {
            return Err(format!("holds {now:?}, want what it held: {pre:?}"));
        }
    } else {
        for (id, vid) in &now {
            if pre.get(id) != Some(vid) && post.get(id) != Some(vid) {
                return Err(format!("key {id} holds {vid}, neither before nor after"));
            }
        }
        if let Some(id) = post
            .keys()
            .find(|&id| pre.contains_key(id) && !now.contains_key(id))
        {
            return Err(format!("key {id} was lost"));
        }
    }
    for id in pre.keys().chain(post.keys()) {
        let found = m.get(&Key::new(*id)).map(|v| v.vid);
        if found != now.get(id).copied() {
            return Err(format!(
                "get({id}) = {found:?}, iteration says {:?}",
                now.get(id)
            ));
        }
    }
    // The map keeps working: writes of present keys (each evacuates the old
    // bucket at `nevacuate` at least) finish the growth.
    for (id, vid) in now.iter().cycle() {
        if !m.is_growing() {
            break;
        }
        m.insert(Key::new(*id), Val::new(*vid));
    }
    m.check_invariants()?;
    if contents(m)? != now {
        return Err("the entries changed when the growth went on".into());
    }
    Ok(())
}

#[derive(Default, Debug)]
struct Tally {
    /// Growth states swept, and how many of them same-size growths.
    states: usize,
    same_size_states: usize,
    /// Faulty runs, and how many of them did panic.
    runs: usize,
    panics: usize,
}

/// How many growth states each drive sweeps at most: all of them, unless
/// `GOMAP_SWEEP_STATES` says fewer (evenly spaced; for slow runs such as
/// valgrind's).
fn max_states() -> usize {
    std::env::var("GOMAP_SWEEP_STATES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX)
}

/// How the map is driven through its growths.
#[derive(Clone, Copy, Debug)]
enum Drive {
    /// Inserts, and past 40 keys a delete of the oldest every fourth: the
    /// map doubles up to `B = 5`.
    Grow,
    /// A window of 40 keys sliding over the ids (`B = 3`): same-size
    /// growths, with [`IdHashes::Windowed`].
    Slide,
}

/// Stops the map at every distinct point of every growth `drive` takes it
/// through; each state comes with the id of a key not in it (for a swiss
/// map, the key whose insert grew it).
fn growth_states<const KP: usize, const VP: usize, S: BuildHasher + Clone>(
    version: GoVersion,
    hasher: S,
    drive: Drive,
) -> Vec<(Map<KP, VP, S>, u64)> {
    let mut m: Map<KP, VP, S> = HashMap::with_options(0, hasher, version);
    let mut states = Vec::new();
    let mut seen = HashSet::new();
    let mut oldest = 0u64;
    let mut snapshot = |m: &Map<KP, VP, S>, states: &mut Vec<_>| {
        if let Some(e) = m.evacuation() {
            if seen.insert((m.b(), e.same_size, e.nevacuate, e.evacuated, m.len())) {
                states.push((m.clone(), 1_000));
            }
        }
    };
    let ids = match (drive, version.is_swiss()) {
        (Drive::Grow, false) => 160,
        // Past 896 entries: the first split.
        (Drive::Grow, true) => 1_300,
        (Drive::Slide, _) => 600,
    };
    for next in 0..ids {
        let before = version.is_swiss().then(|| (m.clone(), swiss_shape(&m)));
        m.insert(Key::new(next), Val::new(next));
        match before {
            Some((before, shape)) if swiss_shape(&m) != shape && !before.is_empty() => {
                states.push((before, next));
            }
            Some(_) => {}
            None => snapshot(&m, &mut states),
        }
        let delete = match drive {
            Drive::Grow => next % 4 == 3 && next > 40,
            Drive::Slide => next >= 40,
        };
        if delete {
            m.remove(&Key::new(oldest));
            oldest += 1;
            if !version.is_swiss() {
                snapshot(&m, &mut states);
            }
        }
    }
    states
}

/// What a swiss map's growth changes, besides the count: each table's
/// capacity and depth, and whether its tombstones went (rehash or prune).
fn swiss_shape<K, V, S>(m: &HashMap<K, V, S>) -> Vec<(usize, u8, bool)> {
    let mut shape: Vec<_> = m
        .tables()
        .iter()
        .map(|t| (t.capacity, t.local_depth, t.tombstones == 0))
        .collect();
    shape.push((m.total_capacity(), 0, false));
    shape
}

/// At most this many of an operation's `Hash` (and of its `Eq`) calls are
/// faulted in one state: a swiss table's growth rehashes up to 896 keys.
const FAULTS_PER_OP: u64 = 40;

/// The calls to fault: all of them, or `FAULTS_PER_OP` evenly spaced ones
/// with the first and the last.
fn fault_points(calls: u64) -> Vec<u64> {
    if calls <= FAULTS_PER_OP {
        return (0..calls).collect();
    }
    let mut at: Vec<u64> = (0..FAULTS_PER_OP - 1)
        .map(|i| i * calls / (FAULTS_PER_OP - 1))
        .collect();
    at.push(calls - 1);
    at
}

fn sweep<const KP: usize, const VP: usize, S: BuildHasher + Clone>(
    version: GoVersion,
    hasher: S,
    drive: Drive,
) -> Tally {
    let mut tally = Tally::default();
    let states = growth_states::<KP, VP, S>(version, hasher, drive);
    let stride = states.len().div_ceil(max_states()).max(1);
    for (state, fresh) in states.iter().step_by(stride) {
        let fresh = *fresh;
        tally.states += 1;
        tally.same_size_states += usize::from(!state.is_swiss() && state.is_same_size_grow());
        let pre = contents(state).unwrap();
        let ids: Vec<u64> = pre.keys().copied().collect();
        // Keys at both ends: their old buckets differ, so growWork starts
        // at different chains.
        for (nth, old) in [ids[0], ids[ids.len() - 1]].into_iter().enumerate() {
            for op in OPS {
                if nth > 0 && !op.uses_old_key() {
                    continue;
                }
                let mut dry = state.clone();
                let (calls, done) = with_fault(None, || op.apply(&mut dry, old, fresh));
                assert!(done.is_some());
                let post = contents(&dry).unwrap();
                drop(dry);
                for kind in [Call::Hash, Call::Eq] {
                    for at in fault_points(calls[kind as usize]) {
                        let before = live();
                        let mut m = state.clone();
                        let (_, done) =
                            with_fault(Some((kind, at)), || op.apply(&mut m, old, fresh));
                        if let Err(e) = check_after(&mut m, op, done.is_none(), &pre, &post) {
                            panic!(
                                "{version} key pad {KP} value pad {VP}, {op:?} on key {old} \
                                 with {kind:?} call {at} panicking: {e}\nbefore:\n{}",
                                describe(state)
                            );
                        }
                        drop(m);
                        assert_eq!(live(), before, "{op:?} {kind:?} {at}: instances leaked");
                        tally.runs += 1;
                        tally.panics += usize::from(done.is_none());
                    }
                }
            }
        }
    }
    assert!(DOUBLE_DROPS.with_borrow(Vec::is_empty), "dropped twice");
    tally
}

/// The map's shape and entries, for a failure message.
fn describe<const KP: usize, const VP: usize, S: BuildHasher>(m: &Map<KP, VP, S>) -> String {
    let mut ids: Vec<(u64, u64)> = m.iter().map(|(k, v)| (k.id, v.vid)).collect();
    ids.sort_unstable();
    format!("{}\n{ids:?}", m.stats())
}

/// Keeps the injected panics off stderr (the tests of this binary share the
/// hook; other panics still print).
fn quiet_injected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Injected>() {
                default(info);
            }
        }));
    });
}

fn sweep_all<const KP: usize, const VP: usize>() {
    quiet_injected_panics();
    let versions = [
        GoVersion::V1_9,
        GoVersion::V1_19,
        GoVersion::V1_23,
        GoVersion::V1_24,
        GoVersion::V1_27,
    ];
    for version in versions {
        let spread = sweep::<KP, VP, _>(version, RandomSeed::fixed(7), Drive::Grow);
        let clumped = sweep::<KP, VP, _>(version, IdHashes::Clumped, Drive::Grow);
        let sliding = sweep::<KP, VP, _>(version, IdHashes::Windowed, Drive::Slide);
        eprintln!("{version} pads {KP}/{VP}: {spread:?} {clumped:?} {sliding:?}");
        if max_states() == usize::MAX {
            for tally in [&spread, &clumped, &sliding] {
                assert!(tally.panics > 200, "{version}: too few faults: {tally:?}");
            }
            if version.is_swiss() {
                // The small map's growth, 7 doublings and the first split.
                assert!(spread.states >= 9, "{version}: too few growths: {spread:?}");
            } else {
                assert!(
                    sliding.same_size_states > 8,
                    "{version}: too few same-size growth states: {sliding:?}"
                );
            }
        }
    }
    assert_eq!(live(), (0, 0), "instances left alive");
}

#[test]
fn small_keys_small_values() {
    sweep_all::<0, 0>();
}

#[test]
fn indirect_keys() {
    sweep_all::<200, 0>();
}

#[test]
fn indirect_values() {
    sweep_all::<0, 200>();
}

#[test]
fn indirect_keys_and_values() {
    sweep_all::<200, 200>();
}
