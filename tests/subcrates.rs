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
