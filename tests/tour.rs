//! The tour (`examples/tour.rs`) runs every chapter of the notes in order
//! and prints each chapter's expected lines: the notes' examples' output
//! where the notes print some, the figures the crates' own tests check
//! where they do not. Chapter 5's `#[repr(C)]` struct is laid out as real
//! Go 1.27 lays out the same declaration (`examples/go/unsafe.golden`).

#[allow(dead_code, reason = "the tests call the chapters, not main")]
#[path = "../examples/tour.rs"]
mod tour;

use std::mem::{align_of, offset_of, size_of};

/// Chapter `n`'s output, checked to open with its `== N. title` line and
/// close with its pointer deeper.
fn chapter(n: u32) -> String {
    let out = tour::run_chapter(n).expect("the tour has this chapter");
    let first = out.lines().next().unwrap();
    assert!(first.starts_with(&format!("== {n}. ")), "{first}");
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("-> deeper: "), "{last}");
    out
}

/// Every line of `expected` appears in `out`, in this order.
fn assert_lines_in_order(out: &str, expected: &[&str]) {
    let mut lines = out.lines();
    for want in expected {
        assert!(
            lines.any(|line| line == *want),
            "missing or out of order: {want:?}\nin:\n{out}"
        );
    }
}

#[test]
fn the_chapters_are_the_notes_in_order() {
    let titles: Vec<String> = tour::CHAPTERS
        .iter()
        .map(|c| format!("{}. {}", c.number, c.title))
        .collect();
    assert_eq!(
        titles,
        [
            "1. slices",
            "2. maps",
            "3. channels",
            "4. context",
            "5. unsafe",
            "6. GOPATH and GOROOT",
            "7. goroutines and the scheduler",
            "8. GC"
        ]
    );
    assert!(tour::run_chapter(9).is_none());
}

#[test]
fn chapter_1_prints_the_notes_output() {
    let out = chapter(1);
    assert_lines_in_order(
        &out,
        &[
            "[2 3 20]",
            "[4 5 6 7 100 200]",
            "[0 1 2 3 20 5 6 7 100 9]",
            "len=5, cap=6",
            "[2 2 2]",
            "[1 1 1]",
            "[1 1 1 100]",
            "[1 1 1 100 100]",
            // Go 1.17 doubles below 1024, then 1.25x; 1.18 eases from 256;
            // 1.22 rounds pointerful elements to other size classes.
            "go1.17: append to a full slice of 24-byte pointerful elements: 256->512 512->1024 1024->1365 2048->2730",
            "go1.18: append to a full slice of 24-byte pointerful elements: 256->512 512->853 1024->1706 2048->3072",
            "go1.22: append to a full slice of 24-byte pointerful elements: 256->565 512->853 1024->1706 2048->3072",
        ],
    );
}

#[test]
fn chapter_2_grows_at_go_s_load_factor() {
    let out = chapter(2);
    // `cargo xtask mapgrowth --go 1.19 --inserts 1000`, from real Go.
    assert_lines_in_order(
        &out,
        &[
            "after 9 inserts: B 0 -> 1 (load 4.50)",
            "after 14 inserts: B 1 -> 2 (load 3.50)",
            "after 27 inserts: B 2 -> 3 (load 3.38)",
            "after 53 inserts: B 3 -> 4 (load 3.31)",
            "after 833 inserts: B 7 -> 8 (load 3.25)",
            "m[31] = 961",
        ],
    );
}

#[test]
fn chapter_3_blocks_and_leaks_as_the_notes_say() {
    assert_lines_in_order(
        &chapter(3),
        &[
            "unbuffered: received 1",
            "buffered: len=10 cap=10 11th send would block: true",
            "closed: 10 values drained, then v, ok = 0, false",
            "goroutine leaked: [chan send]",
        ],
    );
}

#[test]
fn chapter_4_prints_the_notes_output() {
    assert_lines_in_order(
        &chapter(4),
        &[
            "process over. no trace_id",
            "process over. trace_id=qcrao-2019",
            "sendResult: pos=1",
            "Perform returned: context canceled",
            "Perform timed out: context deadline exceeded",
            "5",
            "goroutine leaked: goroutine 2 [chan send]",
            "5",
            "no goroutine leaked",
        ],
    );
}

#[test]
fn chapter_5_offsets_sizes_and_uintptr() {
    assert_lines_in_order(
        &chapter(5),
        &[
            "field   Go Offsetof  Rust offset_of!  (repr C)  (repr Rust)",
            "{qcrao Golang}",
            "uintptr: object 1 freed by runtime.GC(): true",
            "unsafe.Pointer: object 2 freed by runtime.GC(): false",
        ],
    );
}

#[test]
fn repr_c_offsets_and_sizes_match_go() {
    for (field, repr_c, _) in tour::mixed_offsets() {
        assert_eq!(
            Some(repr_c),
            tour::go_says(&format!("Offsetof(Mixed.{field})")),
            "{field}"
        );
    }
    assert_eq!(
        Some(size_of::<tour::MixedC>()),
        tour::go_says("Sizeof(Mixed)")
    );
    assert_eq!(
        Some(align_of::<tour::MixedC>()),
        tour::go_says("Alignof(Mixed)")
    );
    // Rust's default layout may reorder fields; it is never larger.
    assert!(size_of::<tour::MixedRust>() <= size_of::<tour::MixedC>());
    // The notes' Programmer: two strings, 16 bytes each, as in Go.
    assert_eq!(tour::go_says("Sizeof(Programmer)"), Some(32));
    assert_eq!(
        tour::go_says("Offsetof(Programmer.language)"),
        Some(offset_of!(tour::Programmer, language))
    );
    assert_eq!(tour::go_says("Offsetof(Mixed.nothing)"), None);
}

#[test]
fn chapter_6_says_there_is_nothing_to_model() {
    let out = chapter(6);
    assert!(out.contains("Rust has no counterpart to model"), "{out}");
    assert!(
        out.lines().any(
            |l| l.starts_with("go on PATH: `go env` says GOVERSION=go1.")
                || l.starts_with("no go on PATH")
        ),
        "{out}"
    );
}

#[test]
fn chapter_7_runs_goroutines_on_few_threads() {
    let out = chapter(7);
    assert_lines_in_order(
        &out,
        &["sum of 0..10000 sent by 10000 goroutines = 49995000"],
    );
    let stats = out
        .lines()
        .find_map(|l| l.strip_prefix("GOMAXPROCS=2: "))
        .expect("a stats line");
    let threads: usize = stats
        .split(", ")
        .find_map(|part| part.strip_suffix(" OS threads (Ms)"))
        .and_then(|n| n.parse().ok())
        .expect("a thread count");
    assert!((1..100).contains(&threads), "{stats}");
}

#[test]
fn chapter_8_shows_the_lost_object_and_the_barriers() {
    assert_lines_in_order(
        &chapter(8),
        &[
            "white: o3 o5 o6  grey: o2 o7  black: o1 o4",
            "none: gogc: lost object o3: reachable (o4.q->o3) but white when marking ended; sweep will free it",
            "dijkstra: o3 kept; stacks re-scanned with the world stopped: 1",
            "yuasa: o3 kept; stacks re-scanned with the world stopped: 0",
            "hybrid: o3 kept; stacks re-scanned with the world stopped: 0",
            "hybrid-go: o3 kept; stacks re-scanned with the world stopped: 0",
            // The pacer: GOGC=100 and the 4 MiB minimum heap.
            "GOGC=100: 1000000 garbage objects, 2 cycles, heap 3908 KiB, next goal 4 MiB",
        ],
    );
}
