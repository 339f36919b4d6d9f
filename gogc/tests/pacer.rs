//! Go's pacer (`runtime/mgcpacer.go`, Go 1.27) against cases computed by
//! hand from its formulas, and a paced heap doing what the pacer promises:
//! `GOGC=off` never collects, `GOMEMLIMIT` collects more often to stay
//! under the limit, assists keep a fast allocator within the goal.

use std::sync::{Arc, Mutex};

use gogc::{Barrier, Field, GcTrace, Heap, Mutator, NO_MEMORY_LIMIT, Object, Pacer, Settings};

const MIB: u64 = 1 << 20;

// --- the formulas, by hand ----------------------------------------------

/// GOGC=100: goal = marked + (marked + stacks + globals) × 100/100.
fn pacer_10_mib() -> Pacer {
    let mut pacer = Pacer::new(100, NO_MEMORY_LIMIT);
    pacer.set_last_cycle(10 * MIB, 8 * MIB, MIB, MIB);
    pacer
}

#[test]
fn the_goal_is_marked_plus_gogc_percent_of_marked_stacks_and_globals() {
    let mut pacer = pacer_10_mib();
    pacer.commit(true);
    assert_eq!(pacer.heap_goal(), 22 * MIB); // 10 + (10 + 1 + 1)
    let mut half = Pacer::new(50, NO_MEMORY_LIMIT);
    half.set_last_cycle(100 * MIB, 0, 0, 0);
    half.commit(true);
    assert_eq!(half.heap_goal(), 150 * MIB);
}

#[test]
fn the_goal_is_at_least_4_mib_times_gogc_over_100() {
    let mut pacer = Pacer::new(100, NO_MEMORY_LIMIT);
    pacer.set_last_cycle(MIB, MIB, 0, 0);
    pacer.commit(true);
    assert_eq!(pacer.heap_goal(), 4 * MIB, "2 MiB by the formula");
    let mut double = Pacer::new(200, NO_MEMORY_LIMIT);
    double.set_last_cycle(MIB, MIB, 0, 0);
    double.commit(true);
    assert_eq!(double.heap_goal(), 8 * MIB, "3 MiB by the formula");
    let mut zero = Pacer::new(0, NO_MEMORY_LIMIT);
    zero.set_last_cycle(MIB, MIB, 0, 0);
    zero.commit(true);
    assert_eq!(zero.heap_goal(), MIB, "GOGC=0: collect continuously");
}

#[test]
fn without_a_runway_the_trigger_is_the_upper_bound_61_64ths_of_the_way() {
    let mut pacer = pacer_10_mib();
    pacer.commit(true);
    // (22 − 10 MiB) / 64 = 196 608; × 61 + 10 MiB = 22 478 848 (the goal
    // less 4 MiB, 18 874 368, is lower, so it does not raise the bound).
    assert_eq!(pacer.trigger(), (22_478_848, 22 * MIB));
}

#[test]
fn the_trigger_is_the_goal_less_the_runway_inside_the_bounds() {
    let mut pacer = pacer_10_mib();
    // runway = consMark × (1 − 0.25) / 0.25 × (8 + 1 + 1 MiB)
    //        = 0.0625 × 3 × 10 MiB = 1 966 080
    pacer.set_cons_mark(0.0625);
    pacer.commit(true);
    assert_eq!(pacer.runway(), 1_966_080);
    assert_eq!(pacer.trigger(), (22 * MIB - 1_966_080, 22 * MIB));
}

#[test]
fn a_long_runway_stops_at_the_lower_bound_45_64ths_of_the_way() {
    let mut pacer = pacer_10_mib();
    pacer.set_cons_mark(0.5); // runway 15 MiB: the trigger would be 7 MiB
    pacer.commit(true);
    assert_eq!(pacer.runway(), 15 * MIB);
    // 196 608 × 45 + 10 MiB
    assert_eq!(pacer.trigger(), (19_333_120, 22 * MIB));
}

#[test]
fn a_small_heap_triggers_61_64ths_of_the_way_to_the_4_mib_goal() {
    let mut pacer = Pacer::new(100, NO_MEMORY_LIMIT);
    pacer.set_last_cycle(MIB, MIB, 0, 0);
    pacer.commit(true);
    // (4 − 1 MiB) / 64 × 61 + 1 MiB
    assert_eq!(pacer.trigger(), (4_046_848, 4 * MIB));
}

#[test]
fn a_large_heap_may_trigger_as_late_as_the_goal_less_4_mib() {
    let mut pacer = Pacer::new(100, NO_MEMORY_LIMIT);
    pacer.set_last_cycle(1000 * MIB, 0, 0, 0);
    pacer.commit(true);
    // 61/64 of the way is 1953.125 MiB; the goal less 4 MiB is later.
    assert_eq!(pacer.trigger(), (1996 * MIB, 2000 * MIB));
}

#[test]
fn while_sweeping_the_trigger_keeps_1_mib_above_the_live_heap() {
    let mut pacer = pacer_10_mib();
    pacer.set_heap_live(22 * MIB);
    pacer.commit(false);
    // sweepDistMinTrigger = 23 MiB exceeds the 22 MiB goal: both move up.
    assert_eq!(pacer.trigger(), (23 * MIB, 23 * MIB));
}

#[test]
fn gogc_off_has_no_goal() {
    let mut pacer = Pacer::new(-1, NO_MEMORY_LIMIT);
    pacer.set_last_cycle(100 * MIB, 0, 0, 0);
    pacer.commit(true);
    assert!(pacer.heap_goal() > 1 << 62);
    assert!(pacer.trigger().0 > 1 << 62);
    assert_eq!(pacer.set_gc_percent(-5), -1);
    assert_eq!(pacer.gc_percent(), -1);
}

/// Limit 64 MiB; 50 MiB mapped of which 40 MiB hold objects: 10 MiB of
/// other memory.
fn limited(limit: u64) -> Pacer {
    let mut pacer = Pacer::new(100, limit as i64);
    pacer.set_last_cycle(30 * MIB, 0, 0, 0);
    pacer.set_memory(50 * MIB, 0, 40 * MIB, 0);
    pacer.commit(true);
    pacer
}

#[test]
fn the_memory_limit_lowers_the_goal_with_3_percent_headroom() {
    // Unlimited by 100 MiB: 100 − 10 MiB, less 3%, is above GOGC's 60 MiB.
    assert_eq!(limited(100 * MIB).heap_goal(), 60 * MIB);
    // 64 MiB: 64 − 10 = 56 623 104, less 56 623 104 / 100 × 3 = 1 698 693.
    let pacer = limited(64 * MIB);
    assert_eq!(pacer.memory_limit_heap_goal(), 54_924_411);
    assert_eq!(pacer.heap_goal(), 54_924_411);
    // The trigger's bounds now run from the marked 30 MiB to that goal:
    // (54 924 411 − 31 457 280) / 64 = 366 673; × 61 + 30 MiB.
    assert_eq!(pacer.trigger(), (53_824_333, 54_924_411));
}

#[test]
fn a_limit_below_the_live_heap_makes_the_goal_the_live_heap() {
    // 12 MiB − 10 MiB = 2 MiB, less the 1 MiB minimum headroom: 1 MiB,
    // below the 30 MiB marked — so the goal is the marked heap and the
    // collector runs continuously.
    let pacer = limited(12 * MIB);
    assert_eq!(pacer.heap_goal(), 30 * MIB);
    assert_eq!(pacer.trigger(), (30 * MIB, 30 * MIB));
}

#[test]
fn the_assist_ratio_is_the_scan_work_left_over_the_heap_left() {
    let mut pacer = pacer_10_mib();
    pacer.commit(true);
    pacer.set_heap_live(20 * MIB);
    pacer.start_cycle(0, 1);
    // Expected scan work 8 + 1 + 1 MiB; 2 MiB of heap before the goal.
    assert_eq!(pacer.assist_work_per_byte(), 5.0);
    assert_eq!(pacer.assist_bytes_per_work(), 0.2);
}

// --- a paced heap ------------------------------------------------------

struct Node;
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
}
const LEFT: Field<Node, Node> = Field::new(0);

fn settings(gc_percent: i32, memory_limit: i64) -> Settings {
    Settings {
        gc_percent,
        memory_limit,
        ..Settings::default()
    }
}

/// A list of `n` nodes on `g`'s stack (its head), 16 bytes each.
fn keep_list(heap: &mut Heap, g: Mutator, n: usize) {
    let head = heap.alloc(g, Node);
    let mut tail = head;
    for _ in 1..n {
        let next = heap.alloc(g, Node);
        heap.store(g, tail, LEFT, Some(next));
        heap.pop(g);
        tail = next;
    }
}

/// The memory the soft limit is about: `Sys − HeapReleased`.
fn retained(heap: &Heap) -> u64 {
    let stats = heap.stats();
    stats.sys - stats.heap_released
}

/// Allocates `n` nodes of garbage; calls `each` every 4096.
fn churn(heap: &mut Heap, g: Mutator, n: usize, mut each: impl FnMut(&Heap)) {
    for i in 0..n {
        heap.alloc(g, Node);
        heap.pop(g);
        if i % 4096 == 0 {
            each(heap);
        }
    }
}

#[test]
fn gogc_off_never_collects() {
    let mut heap = Heap::paced(Barrier::HybridGo, settings(-1, NO_MEMORY_LIMIT));
    let g = heap.new_mutator();
    churn(&mut heap, g, 3_000_000, |_| {}); // 48 MB of garbage
    let stats = heap.stats();
    assert_eq!(stats.num_gc, 0);
    assert_eq!(stats.heap_objects, 3_000_000);
    assert!(stats.heap_alloc >= 48_000_000);
}

#[test]
fn gogc_100_collects_and_bounds_the_heap() {
    let mut heap = Heap::paced(Barrier::HybridGo, settings(100, NO_MEMORY_LIMIT));
    let g = heap.new_mutator();
    let mut peak = 0;
    churn(&mut heap, g, 3_000_000, |h| {
        peak = peak.max(h.stats().heap_alloc)
    });
    let stats = heap.stats();
    assert!(stats.num_gc >= 5, "{} cycles", stats.num_gc);
    assert!(peak <= 6 * MIB, "peak heap {peak} with a 4 MiB goal");
}

#[test]
fn gomemlimit_collects_more_often_and_keeps_the_heap_under_the_limit() {
    const LIMIT: u64 = 48 * MIB;
    let run = |memory_limit: i64| {
        let mut heap = Heap::paced(Barrier::HybridGo, settings(100, memory_limit));
        let g = heap.new_mutator();
        keep_list(&mut heap, g, 1_250_000); // 20 MB live: a 40 MB goal
        // The pacer's first cycle has no scan estimate (Go's neither): the
        // steady state starts after one.
        heap.gc();
        let cycles = heap.stats().num_gc;
        let mut peak = 0;
        churn(&mut heap, g, 6_000_000, |h| peak = peak.max(retained(h)));
        (heap.stats().num_gc - cycles, peak)
    };
    let (free_cycles, free_peak) = run(NO_MEMORY_LIMIT);
    let (limited_cycles, limited_peak) = run(LIMIT as i64);
    assert!(
        limited_cycles > free_cycles,
        "{limited_cycles} cycles under the limit, {free_cycles} without"
    );
    assert!(
        free_peak > LIMIT,
        "without the limit the heap grows to {free_peak}"
    );
    assert!(
        limited_peak <= LIMIT,
        "the heap's memory reached {limited_peak}, over the {LIMIT} limit"
    );
}

#[test]
fn gomemlimit_bounds_a_heap_even_with_gogc_off() {
    const LIMIT: u64 = 32 * MIB;
    let mut heap = Heap::paced(Barrier::HybridGo, settings(-1, LIMIT as i64));
    let g = heap.new_mutator();
    keep_list(&mut heap, g, 500_000); // 8 MB live
    heap.gc();
    let mut peak = 0;
    churn(&mut heap, g, 6_000_000, |h| peak = peak.max(retained(h)));
    assert!(heap.stats().num_gc > 1);
    assert!(peak <= LIMIT, "memory {peak} over the limit {LIMIT}");
}

/// Every `gctrace` line of a heap.
fn traced(heap: &mut Heap) -> Arc<Mutex<Vec<GcTrace>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    heap.set_gctrace_sink(move |line| sink.lock().unwrap().push(line.clone()));
    lines
}

#[test]
fn assists_keep_a_fast_allocator_within_the_goal() {
    // One processor: the mutator is the only thread. It allocates as fast
    // as it can while a 16 MB live heap is marked; its assists must finish
    // the marking before the heap passes the goal.
    let mut heap = Heap::paced(Barrier::HybridGo, settings(100, NO_MEMORY_LIMIT));
    let g = heap.new_mutator();
    keep_list(&mut heap, g, 1_000_000);
    // While the list grew, all of the heap was live and the goal moved
    // with it; from here on the live heap is steady.
    heap.gc();
    let lines = traced(&mut heap);
    churn(&mut heap, g, 8_000_000, |_| {});
    let lines = lines.lock().unwrap();
    assert!(lines.len() >= 4, "{} cycles", lines.len());
    let mut assisted = false;
    for line in lines.iter() {
        // The heap may pass the goal a little: heapLive counts whole spans,
        // and `revise` extends the goal (up to GOGC/100 more, Go's hard
        // goal) when the scan work outgrows the last cycle's estimate.
        // Without assists it would pass it by the whole heap the mutator
        // allocates while the fractional worker marks at 25%.
        assert!(
            line.heap_end <= line.goal + line.goal / 20,
            "marking ended at {} bytes, past the {} goal: {line}",
            line.heap_end,
            line.goal
        );
        assisted |= line.cpu[1] > std::time::Duration::ZERO;
    }
    assert!(assisted, "no cycle had assists");
}

#[test]
fn set_gc_percent_and_set_memory_limit_return_the_previous_value() {
    let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    assert_eq!(heap.set_gc_percent(200), 100);
    assert_eq!(heap.stats().next_gc, 8 * MIB);
    assert_eq!(heap.set_gc_percent(-1), 200);
    assert_eq!(heap.gc_percent(), -1);
    assert_eq!(heap.set_memory_limit(1 << 30), NO_MEMORY_LIMIT);
    assert_eq!(heap.set_memory_limit(-1), 1 << 30, "negative: read only");
    assert_eq!(heap.memory_limit(), 1 << 30);
}

#[test]
fn turning_gogc_off_finishes_the_cycle_in_progress() {
    let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    let g = heap.new_mutator();
    keep_list(&mut heap, g, 1000);
    heap.gc_start();
    assert_eq!(heap.phase(), gogc::Phase::Mark);
    heap.set_gc_percent(-1);
    assert_ne!(heap.phase(), gogc::Phase::Mark);
}

#[test]
fn gc_is_runtime_gc_forced_and_counted() {
    let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    let lines = traced(&mut heap);
    let g = heap.new_mutator();
    keep_list(&mut heap, g, 10);
    heap.alloc(g, Node);
    heap.pop(g);
    heap.gc();
    let stats = heap.stats();
    assert_eq!((stats.num_gc, stats.num_forced_gc), (1, 1));
    assert_eq!(
        (stats.mallocs, stats.frees, stats.heap_objects),
        (11, 1, 10)
    );
    assert!(stats.last_gc > 0 && stats.pause_total_ns > 0);
    assert_eq!(stats.pause_ns[0], stats.pause_total_ns);
    let lines = lines.lock().unwrap();
    assert!(lines[0].forced && lines[0].to_string().ends_with(" (forced)"));
    assert_eq!(lines[0].heap_marked, 160, "ten live 16-byte nodes");
}
