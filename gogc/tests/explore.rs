//! The schedule explorer: with no barrier it finds a lost object and tells
//! its story; with every sound barrier it finds nothing; each broken stack
//! protocol loses objects too.
//!
//! Schedules per barrier: `GOGC_EXPLORE_CASES`, else five times
//! `PROPTEST_CASES` (1 280 at CI depth, 100 000 under `cargo xtask verify
//! --deep`), else 1 280.

use gogc::Barrier;
use gogc::explore::{InitialHeap, Program, Shape, Step, explore};

fn cases() -> u64 {
    let var = |name| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    var("GOGC_EXPLORE_CASES")
        .or_else(|| var("PROPTEST_CASES").map(|n| 5 * n))
        .unwrap_or(1280)
}

#[test]
fn without_a_barrier_an_object_is_lost_within_3000_schedules() {
    for seed in 0..4 {
        let report = explore(Barrier::None, 3_000, seed);
        assert!(report.violations > 0, "seed {seed}: {}", report.summary());
        let example = report.counterexample.expect("a counterexample");
        assert!(example.story.contains("lost object"), "{}", example.story);
        assert!(example.story.contains("is hidden"), "{}", example.story);
        // Shrunk to a short story.
        assert!(example.program.steps.len() <= 12, "{}", example.story);
    }
}

#[test]
fn sound_barriers_lose_nothing() {
    let n = cases();
    for barrier in Barrier::SOUND {
        let report = explore(barrier, n, 0x5eed);
        assert_eq!(
            report.violations,
            0,
            "{barrier}: {}",
            report.counterexample.map(|c| c.story).unwrap_or_default()
        );
        assert_eq!(report.summary(), format!("violations=0 cases={n}"));
    }
}

#[test]
fn broken_stack_protocols_lose_objects() {
    for barrier in [Barrier::DijkstraNoRescan, Barrier::YuasaNoSnapshot] {
        let report = explore(barrier, 3_000, 1);
        assert!(report.violations > 0, "{barrier}: {}", report.summary());
    }
}

#[test]
fn the_same_seed_explores_the_same_schedules() {
    let a = explore(Barrier::None, 500, 42);
    let b = explore(Barrier::None, 500, 42);
    assert_eq!(a.violations, b.violations);
    assert_eq!(
        a.counterexample.map(|c| c.story),
        b.counterexample.map(|c| c.story)
    );
}

/// A story reads like the notes' figures: colours, roots and pointers after
/// each step, the hidden pointer flagged, the loss at the end.
#[test]
fn a_story_is_told_like_the_figures() {
    let program = Program {
        heap: InitialHeap {
            objects: vec![
                Shape {
                    l: Some(1),
                    r: None,
                },
                Shape { l: None, r: None },
            ],
            stacks: vec![vec![0]],
            globals: vec![],
        },
        wb_buf_entries: 4,
        steps: vec![
            Step::Collect { pick: 0 },
            Step::Load {
                m: 0,
                obj: 0,
                field: 0,
                take: true,
            },
        ],
    };
    let story = gogc::explore::tell(&program, Barrier::None);
    let expected = "\
barrier none: 1 mutator, 0 globals, a 4-entry write barrier buffer
  0. the heap when the cycle begins
     white: o1 o2  grey: -  black: -
     roots: g0 [o1]
     edges: o1.l->o2
  1. gc: sweep termination (STW): barrier none on
     white: o1 o2  grey: -  black: -
     roots: g0 grey [o1]
     edges: o1.l->o2
  2. gc: scan g0's stack
     white: o2  grey: o1  black: -
     roots: g0 black [o1]
     edges: o1.l->o2
  3. g0: push g0[0].l = o1.l = o2, then o1.l = nil
     white: o2  grey: o1  black: -
     roots: g0 black [o1 o2]
     edges: -
     ! black g0 now points to white o2 (g0[1]->o2)
     ! o2 is hidden: g0[1]->o2 is black->white and no grey object reaches o2 through white ones
  4. gc: scan o1
     white: o2  grey: -  black: o1
     roots: g0 black [o1 o2]
     edges: -
  5. gc: mark termination (STW), barrier off
     white: o2  grey: -  black: o1
     roots: g0 [o1 o2]
     edges: -
=> gogc: lost object o2: reachable (g0[1]->o2) but white when marking ended; sweep will free it
";
    assert_eq!(story, expected);
    assert!(program.run(Barrier::None).is_some());
    for barrier in Barrier::SOUND {
        assert_eq!(program.run(barrier), None, "{barrier}");
    }
}
