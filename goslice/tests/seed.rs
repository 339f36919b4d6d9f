//! Chapter 1's programs, with the output the notes print, character for
//! character.

#[path = "../examples/chapter1.rs"]
mod chapter1;

#[test]
fn aliasing_example_prints_what_the_notes_print() {
    let mut out = String::new();
    chapter1::aliasing(&mut out);
    assert_eq!(
        out,
        "[2 3 20]\n[4 5 6 7 100 200]\n[0 1 2 3 20 5 6 7 100 9]\n"
    );
}

#[test]
fn growth_example_prints_len_5_cap_6() {
    let mut out = String::new();
    chapter1::growth(&mut out);
    assert_eq!(out, "len=5, cap=6");
}

#[test]
fn function_argument_writes_the_callers_array() {
    let mut out = String::new();
    chapter1::pass_by_value(&mut out);
    assert_eq!(out, "[2 2 2]\n");
}

#[test]
fn my_append_example_prints_what_the_notes_print() {
    let mut out = String::new();
    let mut addrs = Vec::new();
    chapter1::my_append(&mut out, &mut addrs);
    assert_eq!(out, "[1 1 1]\n[1 1 1 100]\n[1 1 1 100 100]\n");
    // %p: myAppend's parameter is the caller's array; append moved it.
    assert_eq!(addrs[0], addrs[1]);
    assert_ne!(addrs[1], addrs[2]);
}
