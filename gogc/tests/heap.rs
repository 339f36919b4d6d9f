//! The heap's contract: handles are checked (a freed object's handle panics
//! with a clear message, never reads the slot's next tenant), misuse panics
//! with a message that says what was wrong, a cycle goes through Go's phases
//! in Go's order, and allocation colours follow the barrier. (That phase
//! changes are `tracing` events is `tests/phase_events.rs`.)

use std::sync::{Arc, Mutex};

use gogc::{
    Barrier, Colour, Colours, Field, Gc, GcStep, Heap, Mutator, Object, Phase, Ptr, StaleHandle,
    Work,
};

#[derive(Debug)]
struct Node {
    value: u64,
}
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
}
const LEFT: Field<Node, Node> = Field::new(0);
const RIGHT: Field<Node, Node> = Field::new(1);

#[derive(Debug)]
struct Name(String);
impl Object for Name {
    const POINTER_FIELDS: &'static [&'static str] = &[];
}

fn heap(barrier: Barrier) -> (Heap, Mutator) {
    let mut heap = Heap::new(barrier).with_checks(true);
    let g = heap.new_mutator();
    (heap, g)
}

/// Allocates a node, leaves it unrooted, and collects it.
fn freed_node(heap: &mut Heap, g: Mutator) -> Gc<Node> {
    let n = heap.alloc(g, Node { value: 1 });
    heap.pop(g);
    heap.gc();
    n
}

#[test]
fn a_freed_objects_handle_is_stale_even_after_its_slot_is_reused() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    let old = freed_node(&mut heap, g);
    let new = heap.alloc(g, Node { value: 2 });
    assert_eq!(old.ptr().index(), new.ptr().index(), "the slot is reused");
    assert_ne!(old, new);
    assert_eq!(
        heap.try_get(old).unwrap_err(),
        StaleHandle::Freed {
            ptr: old.ptr(),
            now: 3
        }
    );
    assert_eq!(heap.get(new).value, 2);
    assert_eq!(
        heap.try_get(old).unwrap_err().to_string(),
        "gogc: handle o1 (generation 1) used after its object was freed (the slot is at \
         generation 3, another object now): the object was unreachable when a cycle marked; \
         keep it on a mutator's stack, in a global or in a pointer field"
    );
}

#[test]
#[should_panic(expected = "gogc: handle o1 (generation 1) used after its object was freed")]
fn get_on_a_freed_object_panics() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    let n = freed_node(&mut heap, g);
    heap.get(n);
}

#[test]
#[should_panic(expected = "used after its object was freed")]
fn storing_a_freed_object_panics() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    let dead = freed_node(&mut heap, g);
    let live = heap.alloc(g, Node { value: 0 });
    heap.store(g, live, LEFT, Some(dead));
}

#[test]
#[should_panic(expected = "used after its object was freed")]
fn loading_from_a_freed_object_panics() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    let dead = freed_node(&mut heap, g);
    heap.load(dead, LEFT);
}

#[test]
#[should_panic(expected = "used after its object was freed")]
fn pushing_a_freed_object_panics() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    let dead = freed_node(&mut heap, g);
    heap.push(g, dead);
}

#[test]
fn a_handle_of_another_type_is_refused() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    let name = heap.alloc(g, Name("gopher".into()));
    let err = heap.cast::<Node>(name.ptr()).unwrap_err();
    assert_eq!(err.to_string(), "gogc: handle o1 names a Name, not a Node");
    assert_eq!(heap.cast::<Name>(name.ptr()).unwrap(), name);
    assert_eq!(heap.get(name).0, "gopher");
    assert_eq!(heap.type_name(name), "Name");
}

#[test]
#[should_panic(expected = "gogc: pop from g0's empty stack")]
fn popping_an_empty_stack_panics() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    heap.pop(g);
}

#[test]
#[should_panic(expected = "gogc: mutator g0 has exited")]
fn an_exited_mutator_cannot_allocate() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    heap.exit(g);
    heap.alloc(g, Node { value: 0 });
}

#[test]
#[should_panic(expected = "gogc: o1 (a Name) has 0 pointer fields, not 1")]
fn an_untyped_store_to_a_missing_field_panics() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    let name = heap.alloc(g, Name("x".into()));
    heap.store_ptr(g, name, 0, None::<Ptr>);
}

#[test]
fn values_are_dropped_when_swept() {
    struct Counted(Arc<Mutex<u32>>);
    impl Drop for Counted {
        fn drop(&mut self) {
            *self.0.lock().unwrap() += 1;
        }
    }
    impl Object for Counted {
        const POINTER_FIELDS: &'static [&'static str] = &[];
    }
    let drops = Arc::new(Mutex::new(0));
    let (mut heap, g) = heap(Barrier::HybridGo);
    for _ in 0..1_000 {
        heap.alloc(g, Counted(drops.clone()));
        heap.pop(g);
    }
    let kept = heap.alloc(g, Counted(drops.clone()));
    heap.gc();
    assert_eq!(*drops.lock().unwrap(), 1_000);
    assert!(heap.is_live(kept));
    drop(heap);
    assert_eq!(
        *drops.lock().unwrap(),
        1_001,
        "dropping the heap drops the rest"
    );
}

#[test]
fn a_cycle_goes_through_gos_phases_in_gos_order() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    let g1 = heap.new_mutator();
    let global = heap.new_global::<Node>();
    let a = heap.alloc(g, Node { value: 1 });
    let b = heap.alloc(g1, Node { value: 2 });
    heap.store(g, a, RIGHT, Some(b));
    heap.set_global(g, global, Some(a));
    assert_eq!(heap.phase(), Phase::Off);
    assert_eq!(heap.gc_step(), GcStep::Idle, "no cycle starts by itself");

    assert!(heap.gc_start());
    assert!(!heap.gc_start(), "one cycle at a time");
    assert_eq!(heap.phase(), Phase::Mark);
    assert_eq!(
        heap.gc_pending(),
        [Work::Globals { block: 0 }, Work::Stack(g), Work::Stack(g1)]
    );
    // Root jobs first, in order, then the grey objects.
    assert_eq!(heap.gc_step(), GcStep::Marked(Work::Globals { block: 0 }));
    assert_eq!(heap.gc_step(), GcStep::Marked(Work::Stack(g)));
    assert_eq!(heap.gc_step(), GcStep::Marked(Work::Stack(g1)));
    assert_eq!(
        heap.gc_pending(),
        [Work::Object(a.ptr()), Work::Object(b.ptr())]
    );
    assert_eq!(
        heap.gc_step(),
        GcStep::Marked(Work::Object(b.ptr())),
        "LIFO"
    );
    assert_eq!(heap.gc_step(), GcStep::Marked(Work::Object(a.ptr())));
    assert_eq!(heap.gc_step(), GcStep::MarkTermination);
    assert_eq!(heap.phase(), Phase::Sweep);
    assert_eq!(heap.gc_step(), GcStep::Swept { span: 0, freed: 0 });
    assert_eq!(heap.phase(), Phase::Off);
    assert_eq!(heap.gc_step(), GcStep::Idle);
    let stats = heap.cycle_stats();
    assert_eq!(stats.cycle, 1);
    assert_eq!(stats.stacks_scanned, 2);
    assert_eq!(stats.objects_scanned, 2);
    assert_eq!(
        stats.max_stw(),
        stats.sweep_termination.max(stats.mark_termination)
    );
}

#[test]
fn a_flush_that_greys_objects_sends_marking_on() {
    let mut heap = Heap::new(Barrier::HybridGo)
        .with_checks(true)
        .with_wb_buf_entries(8);
    let g = heap.new_mutator();
    let a = heap.alloc(g, Node { value: 1 });
    heap.alloc(g, Node { value: 2 });
    heap.gc_start();
    heap.gc_step(); // scan g's stack: a and b grey
    heap.gc_step();
    heap.gc_step(); // a and b black
    let c = heap.alloc(g, Node { value: 3 }); // black
    heap.store(g, c, LEFT, Some(a)); // buffered: old nil, new a (already black)
    heap.pop(g);
    let d = heap.alloc(g, Node { value: 4 });
    heap.pop(g);
    assert_eq!(heap.colour(d), Colour::Black);
    assert_eq!(
        heap.gc_step(),
        GcStep::MarkTermination,
        "a flush of black objects greys nothing"
    );
    assert!(heap.cycle_stats().wb_buf_flushes >= 1);

    let mut heap = Heap::new(Barrier::Yuasa).with_checks(true);
    let g = heap.new_mutator();
    let a = heap.alloc(g, Node { value: 1 });
    let b = heap.alloc(g, Node { value: 2 });
    heap.store(g, a, LEFT, Some(b));
    heap.pop(g);
    heap.gc_start(); // the snapshot: a grey
    heap.store(g, a, LEFT, None); // b buffered
    assert_eq!(heap.colour(b), Colour::Grey, "a buffered pointer is grey");
    assert_eq!(heap.gc_step(), GcStep::Marked(Work::Object(a.ptr())));
    assert_eq!(heap.gc_step(), GcStep::FlushedWbBuf { greyed: 1 });
    assert_eq!(heap.gc_step(), GcStep::Marked(Work::Object(b.ptr())));
    assert_eq!(heap.gc_step(), GcStep::MarkTermination);
}

#[test]
fn allocation_colour_follows_the_barrier() {
    for barrier in Barrier::ALL {
        let mut heap = Heap::new(barrier);
        let g = heap.new_mutator();
        heap.gc_start();
        let n = heap.alloc(g, Node { value: 0 });
        let expected = if barrier.allocates_black() {
            Colour::Black
        } else {
            Colour::White
        };
        assert_eq!(heap.colour(n), expected, "{barrier}");
    }
}

#[test]
fn stacks_and_globals_take_colours() {
    let (mut heap, g) = heap(Barrier::Hybrid);
    let global = heap.new_global::<Node>();
    assert_eq!(heap.stack_colour(g), Colour::White);
    heap.gc_start();
    assert_eq!(heap.stack_colour(g), Colour::Grey);
    assert_eq!(heap.global_colour(global.index()), Colour::Grey);
    let late = heap.new_mutator();
    assert_eq!(heap.stack_colour(late), Colour::Black, "born black");
    heap.gc_step();
    heap.gc_step();
    assert_eq!(heap.stack_colour(g), Colour::Black);
    assert_eq!(heap.global_colour(global.index()), Colour::Black);
    assert!(heap.stack_is_scanned(g));
}

#[test]
fn the_colour_display_stops_at_its_limit() {
    let (mut heap, g) = heap(Barrier::HybridGo);
    for _ in 0..Colours::LIMIT + 5 {
        heap.alloc(g, Node { value: 0 });
    }
    let line = heap.colours().to_string();
    assert!(line.starts_with("white: o1 o2 o3 "), "{line}");
    assert!(
        line.ends_with(" o48 … (5 more)  grey: -  black: -"),
        "{line}"
    );
}
