//! Each re-export of the umbrella crate reaches its chapter crate.

#[test]
fn slice() {
    let s = goruntime::slice::slice![1, 2, 3];
    assert_eq!(s.append(4).to_string(), "[1 2 3 4]");
}

#[test]
fn map() {
    let mut m = goruntime::map::HashMap::new();
    for i in 0..100u64 {
        m.insert(i, i * i);
    }
    assert_eq!((m.len(), m.get(&7)), (100, Some(&49)));
}

#[test]
fn sched_parking_contract() {
    use goruntime::sched::{Runtime, Unparker, WaitReason, go, park};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let woken = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            let done = Arc::new(AtomicBool::new(false));
            let (me, d) = (Unparker::current(), Arc::clone(&done));
            go(move || {
                d.store(true, Ordering::Release);
                me.unpark();
            });
            while !done.load(Ordering::Acquire) {
                park(WaitReason::ChanReceive);
            }
            done.load(Ordering::Acquire)
        })
        .unwrap();
    assert!(woken);
}

#[test]
fn chan_between_goroutines() {
    let got = goruntime::sched::Runtime::new()
        .run(|| {
            let c = goruntime::chan::make::<u32>(0);
            let tx = c.clone();
            goruntime::sched::go(move || tx.send(42));
            c.recv()
        })
        .unwrap();
    assert_eq!(got, Some(42));
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
