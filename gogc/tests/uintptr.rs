//! Chapter 5 of the notes (Unsafe) on a gogc heap: an address (`uintptr`)
//! does not keep an object alive; a pointer (`unsafe.Pointer`, a handle in a
//! root or a field) does. The example prints what real Go 1.27 prints for
//! the same program (`examples/go/uintptr.golden`).

use gogc::{Barrier, Field, Heap, Object, Uintptr, UintptrError};

#[allow(dead_code)] // the example's `main`
#[path = "../examples/uintptr.rs"]
mod example;

#[test]
fn the_example_prints_what_go_prints() {
    let golden = include_str!("../examples/go/uintptr.golden");
    let ours: Vec<String> = example::chapter5().into();
    assert_eq!(ours.join("\n") + "\n", golden);
}

struct T {
    id: i32,
}
impl Object for T {
    const POINTER_FIELDS: &'static [&'static str] = &[];
}

/// An object that holds another's address as a scalar (`addr uintptr`)
/// and its pointer in a field (`ptr unsafe.Pointer`).
struct Holder {
    addr: Option<Uintptr>,
}
impl Object for Holder {
    const POINTER_FIELDS: &'static [&'static str] = &["ptr"];
}
const PTR: Field<Holder, T> = Field::new(0);

#[test]
fn an_address_in_an_object_does_not_keep_its_target_alive() {
    for barrier in Barrier::SOUND {
        let mut heap = Heap::new(barrier).with_checks(true);
        let g = heap.new_mutator();
        let holder = heap.alloc(g, Holder { addr: None });
        let t = heap.alloc(g, T { id: 1 });
        let addr = heap.uintptr(t);
        heap.get_mut(holder).addr = Some(addr);
        heap.pop(g); // t's variable ends; holder keeps only the address
        heap.gc();
        let err = heap.try_pointer_from_uintptr::<T>(addr).unwrap_err();
        assert!(matches!(err, UintptrError::Freed(..)), "{barrier}");
        assert!(
            err.to_string().starts_with(&format!(
                "gogc: unsafe.Pointer({addr}): the object at this address was freed — \
                 a uintptr does not keep its object alive"
            )),
            "{err}"
        );
    }
}

#[test]
fn a_pointer_in_an_object_keeps_its_target_alive() {
    for barrier in Barrier::SOUND {
        let mut heap = Heap::new(barrier).with_checks(true);
        let g = heap.new_mutator();
        let holder = heap.alloc(g, Holder { addr: None });
        let t = heap.alloc(g, T { id: 7 });
        heap.store(g, holder, PTR, Some(t));
        let addr = heap.uintptr(t);
        heap.pop(g);
        heap.gc();
        heap.gc();
        assert_eq!(
            heap.get(heap.pointer_from_uintptr::<T>(addr)).id,
            7,
            "{barrier}"
        );
        assert_eq!(heap.load(holder, PTR), Some(t));
    }
}

#[test]
fn an_address_is_a_go_heap_address() {
    let mut heap = Heap::new(Barrier::HybridGo);
    let g = heap.new_mutator();
    let a = heap.alloc(g, T { id: 1 });
    let b = heap.alloc(g, T { id: 2 });
    assert_eq!(heap.uintptr(a).to_string(), "0xc000000000");
    assert_eq!(
        heap.uintptr(b).address(),
        gogc::ARENA_BASE + gogc::SLOT_BYTES
    );
}

#[test]
#[should_panic(expected = "a uintptr does not keep its object alive")]
fn converting_a_dead_address_back_panics() {
    let mut heap = Heap::new(Barrier::HybridGo);
    let g = heap.new_mutator();
    let t = heap.alloc(g, T { id: 1 });
    let addr = heap.uintptr(t);
    heap.pop(g);
    heap.gc();
    heap.pointer_from_uintptr::<T>(addr);
}
