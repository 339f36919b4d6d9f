//! Stack overflows, each in a child process (`common::child`): by
//! recursion and by one frame bigger than the whole stack, on guarded
//! stacks and on unguarded ones watched by canaries (`GOSCHED_GUARD_BUDGET`
//! at 0 and at its default), each printing Go 1.27's report
//! (`tests/golden/overflow`) and exiting with status 2. `cargo xtask
//! verify` runs these in a release build too (`gosched/release`).

use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use gosched::{Runtime, WaitGroup, WaitReason, go};

mod common;
use common::child::{child, go_shape, report_of, stderr};
use common::shape::{overflow_shape, shape};

#[inline(never)]
fn recurse(n: u64) -> u64 {
    let buf = std::hint::black_box([n; 64]);
    if n == u64::MAX {
        0
    } else {
        recurse(n + 1) + buf[(n % 64) as usize]
    }
}

#[test]
#[ignore = "child process of stack_overflow_prints_gos_report_and_exits_2"]
fn child_overflow() {
    Runtime::new()
        .gomaxprocs(1)
        .stack_size(64 * 1024)
        .run_or_exit(|| {
            let wg = WaitGroup::new();
            wg.go(|| {
                std::hint::black_box(recurse(0));
            });
            wg.wait();
        });
}

fn assert_overflow_report(out: &Output, goroutine: u64) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let report = report_of(&err);
    assert!(
        report.starts_with("runtime: goroutine stack exceeds 65536-byte limit\n"),
        "{err}"
    );
    assert!(report.contains("fatal error: stack overflow\n\n"), "{err}");
    assert!(
        report.contains(&format!("\ngoroutine {goroutine} gp=0x")),
        "{err}"
    );
    assert!(report.contains(" in goroutine 1\n\t"), "{err}");
    assert!(!err.contains("panicked at"), "{err}");
}

/// Go: `tests/golden/overflow` (up to the overflowing goroutine; Go goes on
/// with every other goroutine). Guarded stacks (the default; lightweight
/// guard regions need no budget on Linux 6.13+) and unguarded ones
/// (`GOSCHED_GUARD_BUDGET=0`, where the recursion runs through its
/// neighbour into the slab's guard page).
#[test]
fn stack_overflow_prints_gos_report_and_exits_2() {
    for budget in [None, Some("0")] {
        let envs: Vec<(&str, &str)> = budget
            .map(|b| ("GOSCHED_GUARD_BUDGET", b))
            .into_iter()
            .collect();
        let out = child("child_overflow", &envs);
        assert_overflow_report(&out, 2);
        let report = report_of(&stderr(&out)).to_owned();
        let mut ours = shape(&report);
        ours.retain(|l| !l.is_empty());
        let want = overflow_shape(&go_shape(include_str!("golden/overflow.txt")));
        assert_eq!(ours, want, "{report}");
    }
}

/// A frame larger than the whole stack, zero-filled: on an unguarded stack
/// it lands in the live frames of the goroutine parked on the stack below,
/// writing zeros (a free stack's canary) there.
#[inline(never)]
fn big_frame() -> u8 {
    let mut buf = [0u8; 96 * 1024];
    std::hint::black_box(&mut buf);
    buf[std::hint::black_box(7)]
}

/// `parked` goroutines park first (taking the stacks below), then one
/// parks as the victim, then the culprit runs a frame bigger than its
/// stack and wakes the victim.
fn big_frame_over_a_parked_neighbour(parked: usize) {
    Runtime::new()
        .gomaxprocs(1)
        .stack_size(64 * 1024)
        .run_or_exit(move || {
            let hold = WaitGroup::new();
            hold.add(1);
            let ready = WaitGroup::new();
            for _ in 0..parked {
                let (hold, ready) = (hold.clone(), ready.clone());
                ready.add(1);
                go(move || {
                    ready.done();
                    hold.wait();
                });
            }
            ready.wait();
            let victim_parked = WaitGroup::new();
            victim_parked.add(1);
            let (me, vp) = (Arc::new(std::sync::Mutex::new(None)), victim_parked.clone());
            let slot = me.clone();
            go(move || {
                *slot.lock().unwrap() = Some(gosched::Unparker::current());
                vp.done();
                gosched::park(WaitReason::Other("victim"));
                println!("the victim ran on clobbered frames");
            });
            victim_parked.wait();
            let done = WaitGroup::new();
            done.go(move || {
                std::hint::black_box(big_frame());
                me.lock().unwrap().take().unwrap().unpark();
                gosched::time::sleep(Duration::from_millis(50));
            });
            done.wait();
            println!("the overflow went unnoticed");
        });
}

#[test]
#[ignore = "child process of stack_overflow_by_a_frame_bigger_than_the_stack_stops_before_its_victim_runs"]
fn child_big_frame() {
    big_frame_over_a_parked_neighbour(0);
}

#[test]
#[ignore = "child process of stack_overflow_by_a_frame_bigger_than_the_stack_stops_before_its_victim_runs"]
fn child_big_frame_past_the_budget() {
    // Past the default guard budget of kernels without lightweight guards
    // (a third of vm.max_map_count: 21 843); guarded everywhere on others.
    big_frame_over_a_parked_neighbour(25_000);
}

/// The big-frame case: a 96 KiB zero-filled frame on a 64 KiB stack. Guarded,
/// the stack probe faults in the guard page; unguarded, the victim's canary
/// (now zero) stops it from running and names the goroutine above it. Go's
/// report and status 2 either way, with the guard budget at 0 and at its
/// default (25 000 parked goroutines first).
#[test]
fn stack_overflow_by_a_frame_bigger_than_the_stack_stops_before_its_victim_runs() {
    for (name, budget) in [
        ("child_big_frame", Some("0")),
        ("child_big_frame", None),
        ("child_big_frame_past_the_budget", None),
    ] {
        let envs: Vec<(&str, &str)> = budget
            .map(|b| ("GOSCHED_GUARD_BUDGET", b))
            .into_iter()
            .collect();
        let out = child(name, &envs);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains("clobbered"), "{name} {budget:?}: {stdout}");
        assert!(!stdout.contains("unnoticed"), "{name} {budget:?}: {stdout}");
        let culprit = if name == "child_big_frame" { 3 } else { 25_003 };
        assert_overflow_report(&out, culprit);
    }
}
