//! Phase changes are `tracing` events. A test binary of its own: tracing
//! caches each callsite's interest process-wide, and a callsite first hit on
//! another test's thread while this test's scoped subscriber is being
//! registered can be cached as "never", losing events.

use std::io::Write;
use std::sync::{Arc, Mutex};

use gogc::{Barrier, Heap, Mutator, Object};

#[derive(Debug)]
struct Node {
    _value: u64,
}
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
}

fn heap(barrier: Barrier) -> (Heap, Mutator) {
    let mut heap = Heap::new(barrier).with_checks(true);
    let g = heap.new_mutator();
    (heap, g)
}

/// A `MakeWriter` into a shared buffer, to read what the subscriber printed.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[test]
fn phase_changes_are_tracing_events() {
    let out = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("gogc::phase=debug")
        .with_writer(out.clone())
        .with_ansi(false)
        .without_time()
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let (mut heap, g) = heap(Barrier::Dijkstra);
        heap.alloc(g, Node { _value: 0 });
        heap.alloc(g, Node { _value: 1 });
        heap.pop(g);
        heap.gc();
    });
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].contains("sweep termination (STW): barrier on, mark begins"));
    assert!(lines[0].contains("cycle=1 barrier=dijkstra"));
    assert!(lines[1].contains("mark termination (STW): barrier off, sweep begins"));
    assert!(lines[1].contains("stacks_rescanned=1"));
    assert!(lines[2].contains("sweep done"));
    assert!(lines[2].contains("freed=1 live=1"), "{text}");
}
