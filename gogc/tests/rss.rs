//! Sweeping gives memory back: freed slots are reused, empty spans go
//! idle, and the scavenger unmaps idle spans the heap no longer needs — so
//! a heap that shrinks shows it in the process's RSS (Go's scavenger,
//! `runtime/mgcscavenge.go`). One test in its own binary: RSS is the
//! process's, and nothing else may allocate meanwhile.

use gogc::{Barrier, Field, Heap, Mutator, Object, Settings};

struct Node;
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["next", "other"];
}
const NEXT: Field<Node, Node> = Field::new(0);

/// Resident bytes, from `/proc/self/statm`.
#[cfg(target_os = "linux")]
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("procfs");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// A list of `n` nodes kept by its head on `g`'s stack.
#[cfg(target_os = "linux")]
fn keep_list(heap: &mut Heap, g: Mutator, n: usize) {
    let mut tail = heap.alloc(g, Node);
    for _ in 1..n {
        let next = heap.alloc(g, Node);
        heap.store(g, tail, NEXT, Some(next));
        heap.pop(g);
        tail = next;
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_heap_that_shrinks_shows_it_in_rss() {
    const NODES: usize = 4_000_000; // 64 MB of objects
    let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    let g = heap.new_mutator();
    let before = rss();
    keep_list(&mut heap, g, NODES);
    let grown = rss() - before;
    assert!(grown > 64 << 20, "the list took {grown} bytes of RSS");
    let stats = heap.stats();
    assert_eq!(stats.heap_alloc, NODES as u64 * 16);

    heap.pop(g); // the list is garbage
    heap.gc();
    let stats = heap.stats();
    assert_eq!(stats.heap_objects, 0);
    assert!(
        stats.heap_released > 60 << 20,
        "released {}",
        stats.heap_released
    );
    let kept = rss().saturating_sub(before);
    assert!(
        kept < grown / 8,
        "RSS grew by {grown} bytes and stayed {kept} above where it began"
    );

    // Freed memory is reused: the same heap again maps as much as before.
    keep_list(&mut heap, g, NODES);
    let regrown = rss().saturating_sub(before);
    assert!(regrown < grown + grown / 4, "{regrown} after {grown}");
}
