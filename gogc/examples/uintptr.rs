//! Chapter 5 of the notes (Unsafe): a `uintptr` does not keep its object
//! alive, an `unsafe.Pointer` does. The same program as
//! `examples/go/uintptr.go`, printing the same lines as real Go 1.27
//! (`examples/go/uintptr.golden`):
//!
//! ```text
//! cargo run -p gogc --example uintptr
//! RUST_LOG=gogc=debug cargo run -p gogc --example uintptr   # watch the cycles
//! ```

use gogc::{Barrier, Heap, Object, Ptr};

struct T {
    id: i32,
}

impl Object for T {
    const POINTER_FIELDS: &'static [&'static str] = &[];
}

/// The two lines the Go program prints.
pub(crate) fn chapter5() -> [String; 2] {
    let mut heap = Heap::new(Barrier::HybridGo);
    let main = heap.new_mutator();

    // p := &T{id: 1}; u := uintptr(unsafe.Pointer(p)); p = nil
    let p = heap.alloc(main, T { id: 1 });
    let u = heap.uintptr(p);
    heap.pop(main);
    heap.gc();
    heap.gc();
    let freed = heap.try_pointer_from_uintptr::<T>(u).is_err();
    let first = format!("uintptr: object 1 freed by runtime.GC(): {freed}");

    // q := &T{id: 2}; ptr := unsafe.Pointer(q); q = nil
    let q = heap.alloc(main, T { id: 2 });
    heap.push(main, q); // ptr, a second stack variable
    let len = heap.stack(main).len();
    heap.set_stack(main, len - 2, None::<Ptr>); // q = nil
    heap.gc();
    heap.gc();
    let freed = !heap.is_live(q);
    let second = format!("unsafe.Pointer: object 2 freed by runtime.GC(): {freed}");
    assert_eq!(
        heap.get(heap.pointer_from_uintptr::<T>(heap.uintptr(q))).id,
        2
    );
    [first, second]
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    for line in chapter5() {
        println!("{line}");
    }
}
