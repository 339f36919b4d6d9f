//! loom model of a mark bitmap word that the mutator's thread and the mark
//! worker set bits in at once ([`set_mark_bit`], which `SpanMemory::mark`
//! runs; Go's `greyobject` sets a mark with `atomic.Or8`,
//! `runtime/mgcmark.go` and `mbitmap.go`, Go 1.27), on loom's atomics
//! under every interleaving (`RUSTFLAGS="--cfg loom" cargo test --profile
//! loom -p gogc --lib loom_`).

use loom::sync::Arc;
use loom::sync::atomic::AtomicU64;
use loom::thread;

use super::{Relaxed, set_mark_bit};

/// The worker's scan and the mutator's barrier shade objects of one
/// bitmap word: the worker objects 0 and 2, the mutator objects 1 and 2.
/// Every bit ends set (an erased mark is a reachable object swept) and
/// object 2 is greyed once, by whichever thread reached it first.
///
/// Planted bug: `mark_unshared`, the shared update a load-then-store where
/// one read-modify-write (`fetch_or`) is needed: a thread's store erases
/// the other's bit, or both find object 2 white.
#[test]
fn loom_mark_bits_shared_by_the_mutator_and_the_worker() {
    loom::model(|| {
        let word = Arc::new(AtomicU64::new(0));
        let worker = {
            let word = Arc::clone(&word);
            thread::spawn(move || [set_mark_bit(&*word, 1, true), set_mark_bit(&*word, 4, true)])
        };
        let mutator = [set_mark_bit(&*word, 2, true), set_mark_bit(&*word, 4, true)];
        let worker = worker.join().unwrap();
        assert!(worker[0] && mutator[0], "objects 0 and 1 were white");
        assert!(
            worker[1] != mutator[1],
            "object 2 greyed by the worker: {}, by the mutator: {}",
            worker[1],
            mutator[1]
        );
        assert_eq!(word.load(Relaxed), 0b111, "a mark was erased");
    });
}
