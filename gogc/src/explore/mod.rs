//! The schedule explorer: random programs of mutator steps (allocate, load,
//! store, push and pop roots, clear a variable) interleaved with collector
//! steps taken in any order, run with the barrier's invariant and the
//! reachability oracle checked after every step. A failing program is
//! shrunk by proptest to a short one and told as a story, step by step:
//! which objects are white, grey and black after each, and which pointer
//! was hidden from the collector — the notes' figures of chapter 8.2, as
//! text. (Feature `explore`.)
//!
//! ```
//! use gogc::Barrier;
//! use gogc::explore::explore;
//!
//! let none = explore(Barrier::None, 3_000, 1);
//! assert!(none.violations > 0);
//! let story = none.counterexample.unwrap().story;
//! assert!(story.contains("lost object"));
//!
//! let hybrid = explore(Barrier::HybridGo, 200, 1);
//! assert_eq!(hybrid.violations, 0);
//! ```
//!
//! `cargo xtask gc-explore --barrier B --cases N [--seed S]` runs it from
//! the command line.

mod program;
mod story;

pub use story::tell;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

pub use program::{
    Failure, InitialHeap, MAX_INITIAL, MAX_OBJECTS, Node, Program, Shape, Step, initial_heap,
    mutator_step, program, step,
};

use crate::Barrier;

/// Programs have at most this many steps.
pub const MAX_STEPS: usize = 40;

/// Shrinking stops after this many tries.
const MAX_SHRINK_ITERS: usize = 10_000;

/// A failing program, shrunk, and its story.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The shrunk program.
    pub program: Program,
    /// What went wrong.
    pub failure: Failure,
    /// The story: the program's steps with the heap's colours after each.
    pub story: String,
}

/// What an exploration found.
#[derive(Clone, Debug)]
pub struct Report {
    /// The barrier explored.
    pub barrier: Barrier,
    /// Programs run.
    pub cases: u64,
    /// Programs that failed.
    pub violations: u64,
    /// The first failing program, shrunk.
    pub counterexample: Option<Counterexample>,
}

impl Report {
    /// The last line `cargo xtask gc-explore` prints: `violations=V
    /// cases=N`.
    pub fn summary(&self) -> String {
        format!("violations={} cases={}", self.violations, self.cases)
    }
}

/// Runs `cases` random programs under `barrier`, from `seed`; the first
/// failing one is shrunk and told.
pub fn explore(barrier: Barrier, cases: u64, seed: u64) -> Report {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = program(MAX_STEPS);
    let mut report = Report {
        barrier,
        cases,
        violations: 0,
        counterexample: None,
    };
    for _ in 0..cases {
        let mut tree = match strategy.new_tree(&mut runner) {
            Ok(tree) => tree,
            Err(reason) => unreachable!("the program strategy never rejects: {reason}"),
        };
        let Some(failure) = tree.current().run(barrier) else {
            continue;
        };
        report.violations += 1;
        if report.counterexample.is_none() {
            let (program, failure) = shrink(&mut tree, barrier, failure);
            let story = story::tell(&program, barrier);
            report.counterexample = Some(Counterexample {
                program,
                failure,
                story,
            });
        }
    }
    report
}

/// Proptest's shrinking loop: simplify while the program still fails,
/// complicate back when it passes.
fn shrink(
    tree: &mut impl ValueTree<Value = Program>,
    barrier: Barrier,
    failure: Failure,
) -> (Program, Failure) {
    let mut best = (tree.current(), failure);
    if !tree.simplify() {
        return best;
    }
    for _ in 0..MAX_SHRINK_ITERS {
        let candidate = tree.current();
        let more = match candidate.run(barrier) {
            Some(failure) => {
                best = (candidate, failure);
                tree.simplify()
            }
            None => tree.complicate(),
        };
        if !more {
            break;
        }
    }
    best
}
