//! Chapter 8 of the notes, figure by figure: each test follows one series
//! of the notes' pictures (the `typora-user-images` of chapter 8, named in
//! each test's doc by the last part of their file names) with a gogc heap, and checks the colours the pictures
//! show and the outcome they claim.
//!
//! The pictures draw "the root set" (程序根节点集合) and, for the barriers,
//! objects "on the stack". Here the root set is mutator `g0`'s stack, and an
//! object "on the stack" is a pointer in a stack slot. Objects are numbered
//! as in the pictures: `o1` is the first allocated (对象1), and so on.

use gogc::explore::explore;
use gogc::{Barrier, Colour, Field, Gc, GcStep, Heap, Mutator, Object, Violation, Work};

struct Node;
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["p", "q"];
}
const P: Field<Node, Node> = Field::new(0);
const Q: Field<Node, Node> = Field::new(1);

/// A heap holding objects `o1`..`on`, none of them rooted yet.
struct Figure {
    heap: Heap,
    g: Mutator,
    objects: Vec<Gc<Node>>,
}

impl Figure {
    fn new(barrier: Barrier, n: usize, checked: bool) -> Figure {
        let mut heap = Heap::new(barrier).with_checks(checked);
        let g = heap.new_mutator();
        let objects = (0..n).map(|_| heap.alloc(g, Node)).collect();
        heap.truncate(g, 0);
        Figure { heap, g, objects }
    }

    /// The notes' example graph: root set -> 1, 4; 1 -> 2 -> 3 (pointers
    /// `p`); 4 -> 7; 5 -> 6, unreachable.
    fn notes_example(barrier: Barrier, checked: bool) -> Figure {
        let mut f = Figure::new(barrier, 7, checked);
        f.link(1, P, 2);
        f.link(2, P, 3);
        f.link(4, P, 7);
        f.link(5, P, 6);
        f.root(1);
        f.root(4);
        f
    }

    /// Object `i`, counted from 1 as the pictures do.
    fn o(&self, i: usize) -> Gc<Node> {
        self.objects[i - 1]
    }

    fn link(&mut self, from: usize, field: Field<Node, Node>, to: usize) {
        let (from, to) = (self.o(from), self.o(to));
        self.heap.store(self.g, from, field, Some(to));
    }

    fn unlink(&mut self, from: usize, field: Field<Node, Node>) {
        let from = self.o(from);
        self.heap.store(self.g, from, field, None);
    }

    fn root(&mut self, i: usize) {
        let p = self.o(i);
        self.heap.push(self.g, p);
    }

    fn scan(&mut self, i: usize) {
        let p = self.o(i).ptr();
        self.heap.gc_work(Work::Object(p));
    }

    fn scan_roots(&mut self) {
        self.heap.gc_work(Work::Stack(self.g));
    }

    fn colours(&self) -> String {
        self.heap.colours().to_string()
    }

    /// Runs the collector to the end of the cycle's marking.
    fn finish_marking(&mut self) {
        while self.heap.gc_step() != GcStep::MarkTermination {}
    }

    fn sweep(&mut self) {
        while self.heap.gc_step() != GcStep::Idle {}
    }
}

/// The notes' first tri-color example: root set → 1, 4; 1 → 2 → 3; 4 → 7;
/// 5 → 6 unreachable. Marking in rounds turns 1, 4 grey, then 2, 7, then
/// 3; 5 and 6 stay white and are freed.
///
/// Figures `04-02-21`, `04-02-43`, `04-03-06`, `04-04-10`,
/// `04-04-36`.
#[test]
fn figure_8_2_tricolor_marking_in_rounds() {
    let mut f = Figure::notes_example(Barrier::HybridGo, true);
    f.heap.gc_start();
    assert_eq!(
        f.colours(),
        "white: o1 o2 o3 o4 o5 o6 o7  grey: -  black: -"
    );
    f.scan_roots();
    assert_eq!(f.colours(), "white: o2 o3 o5 o6 o7  grey: o1 o4  black: -");
    f.scan(1);
    f.scan(4);
    assert_eq!(f.colours(), "white: o3 o5 o6  grey: o2 o7  black: o1 o4");
    f.scan(2);
    f.scan(7);
    assert_eq!(f.colours(), "white: o5 o6  grey: o3  black: o1 o2 o4 o7");
    f.scan(3);
    assert_eq!(f.colours(), "white: o5 o6  grey: -  black: o1 o2 o3 o4 o7");
    f.finish_marking();
    f.sweep();
    assert!(!f.heap.is_live(f.o(5)) && !f.heap.is_live(f.o(6)));
    assert_eq!(f.heap.live_objects(), 5);
    assert_eq!(f.heap.cycle_stats().objects_freed, 2);
}

/// Sets up the lost-object picture: after one round, 1 and 4 are black, 2
/// and 7 grey, and 2 points to 3 through `p`. Then the mutator makes black
/// 4 point to white 3 (pointer `q`) and removes grey 2's `p`: 3 is hidden.
/// Returns the figure after both writes.
fn hide_object_3(barrier: Barrier, checked: bool) -> Figure {
    let mut f = Figure::notes_example(barrier, checked);
    f.heap.gc_start();
    if !barrier.snapshots_stacks() {
        f.scan_roots();
    }
    f.scan(1);
    f.scan(4);
    assert_eq!(f.heap.colour(f.o(4)), Colour::Black);
    assert_eq!(f.heap.colour(f.o(2)), Colour::Grey);
    // The mutator reaches 3 through 1 and 2, on its (black) stack.
    let (g, o1) = (f.g, f.o(1));
    let o2 = f.heap.load(o1, P).unwrap();
    f.heap.push(g, o2);
    let o3 = f.heap.load(o2, P).unwrap();
    f.heap.push(g, o3);
    f.link(4, Q, 3); // 对象4 创建指针 q 指向 对象3
    f.unlink(2, P); // 对象2 移除指针 p
    f.heap.truncate(g, 2);
    f
}

/// Without STW and without a barrier, black object 4 comes to point to
/// white object 3 while grey object 2 lets go of it: the collector never
/// sees 3 again and sweep frees it while 4 still points to it.
///
/// Figures `04-08-24`, `04-08-33`, `04-08-42`, `04-08-50`.
#[test]
fn figure_8_2_without_a_barrier_object_3_is_lost() {
    let mut f = hide_object_3(Barrier::None, false);
    let hidden = f.heap.hidden();
    assert_eq!(
        hidden.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        ["o4.q->o3"],
        "black 4 points to white 3 and no grey path leads to 3"
    );
    f.finish_marking();
    let lost = f.heap.verify_reachable().unwrap_err();
    assert_eq!(
        lost.to_string(),
        "gogc: lost object o3: reachable (o4.q->o3) but white when marking ended; \
         sweep will free it"
    );
    f.sweep();
    assert!(!f.heap.is_live(f.o(3)), "3 was freed");
    let o3 = f.heap.load(f.o(4), Q).unwrap();
    assert!(f.heap.try_get(o3).is_err(), "4.q is left dangling");
    assert!(matches!(
        f.heap.verify_reachable(),
        Err(Violation::Lost { freed: true, .. })
    ));
}

/// The same schedule under each barrier that keeps an invariant: 3
/// survives, and the checkers held after every step.
#[test]
fn figure_8_2_every_sound_barrier_keeps_object_3() {
    for barrier in Barrier::SOUND {
        let mut f = hide_object_3(barrier, true);
        assert_ne!(f.heap.colour(f.o(3)), Colour::White, "{barrier}");
        f.finish_marking();
        f.sweep();
        assert!(f.heap.is_live(f.o(3)), "{barrier} lost object 3");
        assert_eq!(f.heap.load(f.o(4), Q), Some(f.o(3)));
    }
}

/// The insertion barrier: during marking, black heap object 4 gets a
/// pointer to new object 8 — the barrier shades 8 grey; the stack gets a
/// pointer to new object 9 — stacks have no barrier, 9 stays white.
/// Returns the figure there.
///
/// Figures `04-20-16`, `04-20-25`, `04-20-34`.
fn insertion_barrier(barrier: Barrier, checked: bool) -> Figure {
    let mut f = Figure::new(barrier, 7, checked);
    f.link(1, P, 2);
    f.link(4, P, 7);
    f.root(1);
    f.root(4);
    f.heap.gc_start();
    f.scan_roots();
    f.scan(4);
    let g = f.g;
    let o8 = f.heap.alloc(g, Node); // the new object 8, on the stack
    let o9 = f.heap.alloc(g, Node); // and 9
    f.objects.extend([o8, o9]);
    f.link(4, Q, 8); // 对象4 添加下游对象8: the barrier shades 8
    f.heap.set_stack(g, 2, None::<gogc::Ptr>); // 8's variable ends; 9 stays on the stack
    f
}

#[test]
fn figure_8_2_3_insertion_barrier_shades_object_8() {
    let f = insertion_barrier(Barrier::Dijkstra, true);
    assert_eq!(f.heap.colour(f.o(8)), Colour::Grey, "shaded by the barrier");
    assert_eq!(
        f.heap.colour(f.o(9)),
        Colour::White,
        "on the stack: no barrier"
    );
    assert_eq!(
        f.heap
            .black_to_white(true)
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>(),
        ["g0[3]->o9"],
        "only the stack points from black to white"
    );
}

/// The insertion barrier's price: the stack is re-scanned with the world
/// stopped, and finds 9. Remove the re-scan and 9 is lost.
///
/// Figures `04-21-03`, `04-21-22`, `04-21-36`.
#[test]
fn figure_8_2_3_insertion_barrier_needs_the_stack_rescan() {
    let mut f = insertion_barrier(Barrier::Dijkstra, true);
    f.finish_marking();
    assert_eq!(f.heap.cycle_stats().stacks_rescanned, 1);
    f.sweep();
    assert!(f.heap.is_live(f.o(8)) && f.heap.is_live(f.o(9)));

    let mut f = insertion_barrier(Barrier::DijkstraNoRescan, false);
    f.finish_marking();
    assert_eq!(f.heap.cycle_stats().stacks_rescanned, 0);
    let lost = f.heap.verify_reachable().unwrap_err();
    assert_eq!(lost.object(), f.o(9).ptr());
}

/// Remove Dijkstra's re-scan and the schedule explorer finds a loss on its
/// own, while with the re-scan it finds none.
#[test]
fn figure_8_2_3_insertion_barrier_without_rescan_the_explorer_finds_a_loss() {
    let broken = explore(Barrier::DijkstraNoRescan, 300, 8);
    assert!(broken.violations > 0);
    let story = broken.counterexample.expect("a loss").story;
    assert!(story.contains("lost object"), "{story}");
    assert_eq!(explore(Barrier::Dijkstra, 300, 8).violations, 0);
}

/// The deletion barrier: grey object 1 deletes its pointer to white object
/// 5; the barrier shades 5, so 5 and what hangs from it (2, 3) survive.
/// Returns the figure there.
///
/// Figures `04-24-09`, `04-24-19`, `04-24-43`, `04-24-57`.
fn deletion_barrier(barrier: Barrier) -> Figure {
    let mut f = Figure::new(barrier, 5, true);
    f.link(1, P, 5);
    f.link(5, P, 2);
    f.link(2, P, 3);
    f.root(1);
    f.heap.gc_start(); // Yuasa: the stack snapshot, 1 grey
    assert_eq!(f.colours(), "white: o2 o3 o4 o5  grey: o1  black: -");
    f.unlink(1, P); // 对象1 删除 对象5
    f
}

#[test]
fn figure_8_2_3_deletion_barrier_shades_object_5() {
    let f = deletion_barrier(Barrier::Yuasa);
    assert_eq!(f.colours(), "white: o2 o3 o4  grey: o1 o5  black: -");
}

/// The deletion barrier's price: 5, 2 and 3 are unreachable once 1 let go
/// of 5, yet they survive this cycle (floating garbage, 回收精度低) and are
/// freed by the next.
///
/// Figures `04-25-28`, `04-25-37`.
#[test]
fn figure_8_2_3_deletion_barrier_floating_garbage_lives_one_more_cycle() {
    let mut f = deletion_barrier(Barrier::Yuasa);
    f.finish_marking();
    f.sweep();
    assert_eq!(
        f.heap.cycle_stats().objects_freed,
        1,
        "only 4, never reached"
    );
    for i in [5, 2, 3] {
        assert!(f.heap.is_live(f.o(i)), "o{i} floats through this cycle");
    }
    f.heap.gc();
    for i in [5, 2, 3] {
        assert!(!f.heap.is_live(f.o(i)), "o{i} is freed by the next");
    }
    assert_eq!(f.heap.live_objects(), 1);
}

/// One of the hybrid barrier's four cases, on a heap of 10 objects: the
/// object that moves, which survives under a sound barrier.
fn hybrid_case(barrier: Barrier, case: usize) -> (Figure, usize) {
    let mut f = Figure::new(barrier, 10, barrier.is_sound());
    let g = f.g;
    match case {
        1 => {
            // 对象被一个堆对象删除引用，成为栈对象的下游: heap 1 -> 2 moves
            // to the (black) stack.
            f.link(1, P, 2);
            f.root(1);
            f.heap.gc_start();
            f.scan_roots();
            let o2 = f.heap.load(f.o(1), P).unwrap();
            f.heap.push(g, o2);
            f.unlink(1, P); // shade(*slot) greys 2
            (f, 2)
        }
        2 => {
            // 对象被一个栈对象删除引用，成为另一个栈对象的下游: 3 moves
            // between two variables of a black stack; it was shaded when the
            // stack was scanned, and stack writes need no barrier.
            f.root(3);
            f.heap.push(g, None::<gogc::Ptr>);
            f.heap.gc_start();
            f.scan_roots();
            let o3 = f.o(3);
            f.heap.set_stack(g, 1, o3);
            f.heap.set_stack(g, 0, None::<gogc::Ptr>);
            (f, 3)
        }
        3 => {
            // 对象被一个堆对象删除引用，成为另一个堆对象的下游: 7 moves from
            // grey 10 to black 4.
            f.link(10, P, 7);
            f.root(4);
            f.root(10);
            f.heap.gc_start();
            f.scan_roots();
            f.scan(4);
            let o7 = f.heap.load(f.o(10), P).unwrap();
            f.heap.push(g, o7);
            f.heap.store(g, f.o(4), Q, Some(o7));
            f.unlink(10, P); // shade(*slot) greys 7
            f.heap.pop(g);
            (f, 7)
        }
        _ => {
            // 对象从一个栈对象删除引用，成为另一个堆对象的下游: a goroutine
            // whose stack is still grey moves 9, white and held only by its
            // stack, into black 4: "if current stack is grey: shade(ptr)".
            let g1 = f.heap.new_mutator();
            f.root(4);
            let o9 = f.o(9);
            f.heap.push(g1, o9);
            f.heap.gc_start();
            f.scan_roots();
            f.scan(4);
            f.heap.store(g1, f.o(4), Q, Some(o9));
            f.heap.pop(g1);
            f.heap.gc_work(Work::Stack(g1));
            (f, 9)
        }
    }
}

/// The hybrid barrier's four cases, under the proposal's form and Go's:
/// an object moves (1) from a heap object to the stack, (2) from one stack
/// variable to another, (3) from one heap object to another, (4) from a
/// grey stack to a black heap object. Every stack is scanned once, none
/// re-scanned, nothing is lost and the weak invariant holds after every
/// step. Without a barrier cases 1, 3 and 4 lose their object; without
/// the insertion half (Yuasa's barrier, stacks scanned one at a time) case
/// 4 does.
///
/// Figures `04-32-30`, `04-32-37`, `04-32-45`, `04-32-58`,
/// `04-33-08`, `04-33-16`, `04-34-49`.
#[test]
fn figure_8_2_3_hybrid_barrier_four_cases_without_rescan() {
    for barrier in [Barrier::Hybrid, Barrier::HybridGo] {
        for case in 1..=4 {
            let (mut f, moved) = hybrid_case(barrier, case);
            f.finish_marking();
            assert_eq!(f.heap.cycle_stats().stacks_rescanned, 0);
            f.sweep();
            assert!(f.heap.is_live(f.o(moved)), "{barrier} case {case}");
        }
    }
    for (barrier, case, lost) in [
        (Barrier::None, 1, true),
        (Barrier::None, 2, false),
        (Barrier::None, 3, true),
        (Barrier::None, 4, true),
        (Barrier::YuasaNoSnapshot, 3, false),
        (Barrier::YuasaNoSnapshot, 4, true),
    ] {
        let (mut f, moved) = hybrid_case(barrier, case);
        f.finish_marking();
        let verdict = f.heap.verify_reachable();
        assert_eq!(verdict.is_err(), lost, "{barrier} case {case}: {verdict:?}");
        if lost {
            assert_eq!(verdict.unwrap_err().object(), f.o(moved).ptr());
        }
    }
}

/// Where Dijkstra needs its re-scan (new object 9 kept only on a scanned
/// stack), the hybrid barrier needs none: a new object is black.
#[test]
fn figure_8_2_3_hybrid_barrier_needs_no_rescan_where_dijkstra_does() {
    for barrier in [Barrier::Hybrid, Barrier::HybridGo] {
        let mut f = insertion_barrier(barrier, true);
        assert_eq!(f.heap.colour(f.o(9)), Colour::Black, "allocated black");
        f.finish_marking();
        assert_eq!(f.heap.cycle_stats().stacks_rescanned, 0);
        f.sweep();
        assert!(f.heap.is_live(f.o(8)) && f.heap.is_live(f.o(9)));
    }
}
