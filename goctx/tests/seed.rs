//! Chapter 4's programs, with the output the notes print (and, for the
//! `gen` leak, what gosched's leak report finds), character for character.

use std::time::Duration;

#[path = "../examples/chapter4.rs"]
mod chapter4;

#[test]
fn trace_id_example_prints_what_the_notes_print() {
    let mut out = String::new();
    chapter4::trace_id(&mut out);
    assert_eq!(
        out,
        "process over. no trace_id\nprocess over. trace_id=qcrao-2019\n"
    );
}

#[test]
fn worker_stops_on_cancel_and_on_timeout() {
    let mut out = String::new();
    chapter4::worker(Duration::from_millis(5), &mut out);
    assert_eq!(
        out,
        "sendResult: pos=1\nsendResult: pos=2\nsendResult: pos=3\n\
         app returned the page: cancel()\n\
         Perform returned: context canceled\n\
         Perform timed out: context deadline exceeded\n"
    );
}

#[test]
fn gen_leaks_its_goroutine_and_the_fixed_gen_does_not() {
    let mut out = String::new();
    chapter4::generator(Duration::from_millis(2), &mut out);
    // The leaky gen's goroutine (goroutine 2 of its runtime) is still
    // blocked sending 6; the fixed one returned once canceled.
    assert_eq!(
        out,
        "0\n1\n2\n3\n4\n5\ngoroutine leaked: goroutine 2 [chan send]\n\
         0\n1\n2\n3\n4\n5\nno goroutine leaked\n"
    );
}
