//! Every growth step of both maps is a `tracing` event naming what changed:
//! the swiss map's small map becoming a table, a table growing, splitting
//! or pruning its tombstones and the directory doubling; the classic map's
//! growth starting, each old bucket's evacuation and the growth finishing.
//!
//! A test binary with one test: tracing caches each callsite's interest
//! process-wide, and a callsite first hit on another test's thread while
//! this test's scoped subscriber is being registered can be cached as
//! "never", losing events.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use gomap::{GoVersion, HashMap, RandomSeed, too_many_overflow_buckets};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// One event: its message and its other fields, formatted.
#[derive(Debug)]
struct Event {
    message: String,
    fields: BTreeMap<String, String>,
}

impl Event {
    /// A field as a number.
    fn num(&self, name: &str) -> usize {
        let v = self.fields.get(name);
        v.and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("`{name}` missing or not a number in {self:?}"))
    }

    fn text(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .unwrap_or_else(|| panic!("`{name}` missing in {self:?}"))
    }
}

impl Visit for Event {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let value = format!("{value:?}");
        if field.name() == "message" {
            self.message = value;
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }
}

/// A layer keeping every event it sees.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<Event>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Captured {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut e = Event {
            message: String::new(),
            fields: BTreeMap::new(),
        };
        event.record(&mut e);
        self.0.lock().unwrap().push(e);
    }
}

/// The events `run` emits at trace level and above.
fn events_of(run: impl FnOnce()) -> Vec<Event> {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(captured.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    tracing::subscriber::with_default(subscriber, run);
    std::mem::take(&mut *captured.0.lock().unwrap())
}

fn named<'a>(events: &'a [Event], message: &str) -> Vec<&'a Event> {
    events.iter().filter(|e| e.message == message).collect()
}

#[test]
fn growth_steps_are_tracing_events_with_their_figures() {
    swiss_growth_split_and_doubling();
    swiss_pruning();
    classic_growth();
    classic_same_size_growth();
}

/// 20 000 inserts under Go 1.27: the small map becomes a 16-slot table,
/// which doubles to 1 024 slots; from then on tables split, and a split
/// past the global depth doubles the directory first.
fn swiss_growth_split_and_doubling() {
    let mut m: HashMap<u64, u64> = HashMap::with_options(0, RandomSeed::fixed(0), GoVersion::V1_27);
    let events = events_of(|| m.extend((0..20_000).map(|k| (k, k))));
    for e in &events {
        assert_eq!(e.text("release"), "go1.27", "{e:?}");
    }

    let small = named(&events, "gomap: small map became a table");
    assert_eq!(small.len(), 1, "{events:#?}");
    assert_eq!((small[0].num("used"), small[0].num("capacity")), (8, 16));

    // Up to the first split (the 897th insert) the steps do not depend on
    // the hash: one table, doubling from 16 slots to 1 024.
    let grew = named(&events, "gomap: table grew");
    let first: Vec<(usize, usize)> = grew[..6]
        .iter()
        .map(|e| (e.num("old_capacity"), e.num("new_capacity")))
        .collect();
    assert_eq!(
        first,
        [
            (16, 32),
            (32, 64),
            (64, 128),
            (128, 256),
            (256, 512),
            (512, 1024)
        ]
    );
    for e in &grew[..6] {
        let fields = [e.num("index"), e.num("local_depth"), e.num("global_depth")];
        assert_eq!(fields, [0, 0, 0], "{e:?}");
        // A table grows when its 7/8 are used.
        assert_eq!(e.num("used"), e.num("old_capacity") * 7 / 8, "{e:?}");
    }
    // Tables a split made are full-size already: nothing grows after it.
    assert_eq!(grew.len(), 6, "{grew:#?}");

    let split = named(&events, "gomap: table split");
    let doubled = named(&events, "gomap: directory doubled");
    // Every split adds a table; every doubling deepens the directory once.
    assert_eq!(split.len(), m.tables().len() - 1);
    assert_eq!(doubled.len(), usize::from(m.global_depth()));
    assert!(doubled.len() >= 2, "{doubled:#?}");
    for (d, e) in doubled.iter().enumerate() {
        let fields = [e.num("old_len"), e.num("new_len"), e.num("global_depth")];
        assert_eq!(fields, [1 << d, 2 << d, d + 1], "{e:?}");
    }
    // The first split doubled a directory of one entry: the halves are
    // entries 0 and 1 at depth 1.
    let pos = |message: &str, n: usize| {
        let mut seen = 0;
        events
            .iter()
            .position(|e| {
                seen += usize::from(e.message == message);
                seen == n + 1
            })
            .unwrap()
    };
    assert_eq!(
        pos("gomap: directory doubled", 0) + 1,
        pos("gomap: table split", 0)
    );
    let s = split[0];
    let halves = [s.num("left_index"), s.num("right_index")];
    assert_eq!(halves, [0, 1], "{s:?}");
    assert_eq!((s.num("local_depth"), s.num("global_depth")), (1, 1));
    for e in &split {
        assert_eq!(e.num("old_capacity"), 1024, "{e:?}");
        // A 1 024-slot table splits when 896 entries fill it.
        assert_eq!(e.num("left_used") + e.num("right_used"), 896, "{e:?}");
        let (depth, global) = (e.num("local_depth"), e.num("global_depth"));
        assert!(depth <= global, "{e:?}");
        // The halves are adjacent runs of 2^(global - depth) entries.
        let run = 1 << (global - depth);
        assert_eq!(e.num("right_index"), e.num("left_index") + run, "{e:?}");
        assert_eq!(e.num("left_index") % (2 * run), 0, "{e:?}");
    }
    // The last split's halves are in the directory where it said, at its
    // depth (nothing has doubled the directory since).
    let last = split.last().unwrap();
    for half in ["left_index", "right_index"] {
        let index = last.num(half);
        let table = m.tables().into_iter().find(|t| t.index == index);
        let depth = table.map(|t| usize::from(t.local_depth));
        assert_eq!(depth, Some(last.num("local_depth")), "{half}: {last:?}");
    }
}

/// A sliding window of 600 keys through a map made for 700 (one
/// 1 024-slot table): deletes from full groups leave tombstones, and an
/// insert that finds no growth left prunes them instead of splitting.
fn swiss_pruning() {
    let mut m: HashMap<u64, u64> =
        HashMap::with_options(700, RandomSeed::fixed(3), GoVersion::V1_27);
    let events = events_of(|| {
        for k in 0..20_000u64 {
            m.insert(k, k);
            if k >= 600 {
                m.remove(&(k - 600));
            }
        }
    });
    let pruned = named(&events, "gomap: tombstones pruned");
    assert!(!pruned.is_empty(), "no pruning: {events:#?}");
    for e in &pruned {
        assert_eq!(e.text("release"), "go1.27", "{e:?}");
        assert_eq!((e.num("index"), e.num("capacity")), (0, 1024), "{e:?}");
        // Pruning is only done when it wins back 10% of the capacity.
        assert!(e.num("pruned") * 10 >= 1024, "{e:?}");
        assert!(e.num("growth_left") >= e.num("pruned"), "{e:?}");
    }
    assert!(
        named(&events, "gomap: table split").is_empty(),
        "{events:#?}"
    );
}

/// 1 000 inserts under Go 1.19: B doubles from 0 to 8; each growth starts,
/// evacuates every old bucket once, moving every entry there was, and
/// finishes before the next.
fn classic_growth() {
    let mut m: HashMap<u64, u64> = HashMap::with_options(0, RandomSeed::fixed(0), GoVersion::V1_19);
    let events = events_of(|| m.extend((0..1_000).map(|k| (k, k))));
    let started = named(&events, "gomap: growth started");
    let finished = named(&events, "gomap: growth finished");
    assert_eq!(started.len(), 8, "{started:#?}");
    assert_eq!(finished.len(), 8, "{finished:#?}");

    let mut growth = None;
    let mut evacuated = Vec::new();
    for e in &events {
        assert_eq!(e.text("release"), "go1.19", "{e:?}");
        match e.message.as_str() {
            "gomap: growth started" => {
                assert!(growth.is_none(), "a growth began during another: {e:?}");
                assert_eq!(e.text("kind"), "double", "{e:?}");
                assert_eq!(e.num("new_b"), e.num("old_b") + 1, "{e:?}");
                // Go doubles when count + 1 would pass 6.5 per bucket (8
                // in the single bucket of B = 0).
                let buckets = 1usize << e.num("old_b");
                let count = e.num("count");
                assert!(count * 2 <= 13 * buckets || count == 8, "{e:?}");
                assert!((count + 1) * 2 > 13 * buckets || count == 8, "{e:?}");
                growth = Some((e.num("old_b"), e.num("new_b"), count));
                evacuated.clear();
            }
            "gomap: bucket evacuated" => {
                assert!(growth.is_some(), "evacuation outside a growth: {e:?}");
                evacuated.push((e.num("oldbucket"), e.num("moved")));
            }
            "gomap: growth finished" => {
                let (old_b, new_b, count) = growth.take().expect("a growth to finish");
                assert_eq!(e.num("b"), new_b, "{e:?}");
                evacuated.sort_unstable();
                let buckets: Vec<usize> = evacuated.iter().map(|&(b, _)| b).collect();
                assert_eq!(buckets, (0..1 << old_b).collect::<Vec<_>>());
                // Inserts only: the old buckets held what the map had
                // when the growth started.
                let moved: usize = evacuated.iter().map(|&(_, n)| n).sum();
                assert_eq!(moved, count, "{e:?}");
            }
            other => panic!("unexpected event {other}: {e:?}"),
        }
    }
    assert!(growth.is_none(), "the last growth finished: {}", m.stats());
    assert_eq!(finished.last().unwrap().num("b"), usize::from(m.b()));
}

/// Insert/delete rounds that keep the count small while overflow buckets
/// pile up: Go grows the map at the same size, to compact them.
fn classic_same_size_growth() {
    let mut m: HashMap<u64, u64> = HashMap::with_options(0, RandomSeed::fixed(5), GoVersion::V1_19);
    let events = events_of(|| {
        for k in 0..40_000u64 {
            m.insert(k, k);
            if k >= 100 {
                m.remove(&(k - 100));
            }
        }
    });
    let started = named(&events, "gomap: growth started");
    let same_size: Vec<_> = started
        .iter()
        .filter(|e| e.text("kind") == "same-size")
        .collect();
    assert!(!same_size.is_empty(), "{started:#?}");
    for e in same_size {
        assert_eq!(e.num("new_b"), e.num("old_b"), "{e:?}");
        let noverflow = u16::try_from(e.num("noverflow")).unwrap();
        let b = u8::try_from(e.num("old_b")).unwrap();
        assert!(too_many_overflow_buckets(noverflow, b), "{e:?}");
    }
}
