//! loom model of the mark worker's hand-offs with the mutator's thread
//! (`worker.rs`; Go's `gcBgMarkWorker` and the `gcMarkDone` handshake,
//! `runtime/mgc.go`, Go 1.27): the real [`MarkWorker`] and its `run`
//! loop on loom's mutex, condition variable, `mutator_waiting` flag and
//! thread, under every interleaving (`RUSTFLAGS="--cfg loom" cargo test
//! --profile loom -p gogc --lib loom_`). The span memory the worker
//! scans is a real mapping of std's atomics, which loom does not track:
//! its mark words have their own model (`span/memory/loom_models.rs`).

use super::{MarkWorker, Tally, scan};
use crate::Object;
use crate::handle::Ptr;
use crate::span::{Span, SpanMemory, slot_index, split_index};

struct Node;
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["next", "other"];
}

/// A chain of `len` objects, each pointing at the next, in one span.
fn chain(len: usize) -> (Span, Vec<Ptr>) {
    let mut span = Span::new::<Node>(0, 16, 0, SpanMemory::map(2));
    let objects: Vec<Ptr> = (0..len)
        .map(|_| {
            let (offset, generation) = span.alloc(Node).ok().unwrap();
            Ptr::new(slot_index(0, offset), generation)
        })
        .collect();
    for pair in objects.windows(2) {
        span.set_pointer(offset(pair[0]), 0, Some(pair[1]));
    }
    (span, objects)
}

fn offset(ptr: Ptr) -> usize {
    split_index(ptr.index()).1
}

/// A cycle marks a chain of three objects while the mutator's thread
/// drives it by hand, as `gc_step` does: take every grey object back
/// (`pull_greys`), scan one, hand the rest and what it greyed over
/// (`publish_greys`), until a pull finds nothing, seen under the mutex:
/// the worker is idle (`gcMarkDone`); then mark termination turns the
/// worker off and the heap's drop stops it. The worker scans one object a
/// batch (the loom `BATCH_WORK`) and steps aside for every lock the
/// mutator asks for. Every object ends marked and is scanned exactly once,
/// by one thread or the other, and nothing hangs.
///
/// Planted bug: `step_aside_locked`, the worker waiting for the mutator to
/// take the mutex while it still holds it: neither moves again (loom
/// reports the worker's spin: too many branches).
#[test]
fn loom_worker_steps_aside_for_the_mutator() {
    loom::model(|| {
        let (mut span, objects) = chain(3);
        let worker = MarkWorker::start();
        // `start_worker`: the span table, then the root, greyed on the
        // mutator's thread, handed over.
        let spans = [span.shared_memory()];
        assert!(span.mark(offset(objects[0]), true));
        {
            let mut state = worker.lock();
            state.spans = spans.to_vec();
            state.marking = true;
            state.grey.push(objects[0]);
        }
        worker.wake();
        let mut mine = Tally::default();
        loop {
            let mut grey = std::mem::take(&mut worker.lock().grey);
            let Some(object) = grey.pop() else { break };
            // The mutator's `scan_object` shades as the worker's scan does.
            scan(&spans, &mut grey, &mut mine, object);
            worker.lock().grey.append(&mut grey);
            worker.wake();
        }
        // `stop_worker`: mark termination.
        let theirs = {
            let mut state = worker.lock();
            assert!(state.grey.is_empty());
            state.marking = false;
            std::mem::take(&mut state.tally)
        };
        drop(worker);
        assert_eq!(
            mine.objects_scanned + theirs.objects_scanned,
            objects.len(),
            "an object scanned twice or not at all"
        );
        for &object in &objects {
            assert!(span.is_marked(offset(object)), "{object:?} left white");
        }
    });
}
