//! A failing program told as a story, the way the notes' figures of
//! chapter 8.2 tell theirs: one numbered step at a time, with the colours,
//! roots and pointers after it, a `!` line for each pointer that went from
//! black to white or was hidden, and the violation at the end.

use std::fmt::Write;

use super::program::Program;
use crate::Barrier;

/// The story of `program` under `barrier`: each step with the heap's
/// colours, roots and pointers after it, and the violation it ends in.
pub fn tell(program: &Program, barrier: Barrier) -> String {
    let (failure, events) = program.execute(barrier, true);
    let mut out = String::new();
    let mutators = program.heap.stacks.len();
    let globals = program.heap.globals.len();
    let _ = writeln!(
        out,
        "barrier {barrier}: {mutators} mutator{}, {globals} global{}, a {}-entry write barrier buffer",
        plural(mutators),
        plural(globals),
        program.wb_buf_entries,
    );
    for (n, event) in events.iter().enumerate() {
        let _ = writeln!(out, "{:>3}. {}", n, event.what);
        for line in event.colours.lines() {
            let _ = writeln!(out, "     {line}");
        }
        for note in &event.notes {
            let _ = writeln!(out, "     ! {note}");
        }
    }
    match failure {
        Some(failure) => {
            let _ = writeln!(out, "=> {failure}");
        }
        None => out.push_str("=> no violation\n"),
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
