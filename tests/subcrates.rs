//! Each re-export of the umbrella crate reaches its chapter crate.

#[test]
fn slice() {
    let s = goruntime::slice::slice![1, 2, 3];
    assert_eq!(s.append(4).to_string(), "[1 2 3 4]");
}

#[test]
fn sched_parking_contract() {
    assert_eq!(
        goruntime::sched::WaitReason::ChanReceive.to_string(),
        "chan receive"
    );
}

#[test]
fn ctx_cancellation() {
    use goruntime::ctx::{Error, background, with_cancel};
    let (ctx, cancel) = with_cancel(&background());
    cancel.cancel();
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert_eq!(ctx.to_string(), "context.Background.WithCancel");
}

#[test]
fn gc() {
    use goruntime::gc::{Barrier, Heap, Object};
    struct T;
    impl Object for T {
        const POINTER_FIELDS: &'static [&'static str] = &[];
    }
    let mut heap = Heap::new(Barrier::HybridGo);
    let g = heap.new_mutator();
    let t = heap.alloc(g, T);
    heap.pop(g);
    heap.gc();
    assert!(!heap.is_live(t));
}
