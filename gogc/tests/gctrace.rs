//! `GODEBUG=gctrace=1`: every line gogc prints parses with the format Go
//! 1.27 documents in `runtime/extern.go`, and so do real Go 1.27 lines
//! (`benches/go/binarytrees-18.gctrace`, from the Go twin of the
//! binary-trees example; `examples/go/uintptr.gctrace`, `runtime.GC()`'s
//! forced cycles). The parser is built from the documented format string,
//! not from gogc's formatter.

use std::sync::{Arc, Mutex};

use gogc::{Barrier, Field, Heap, Object, Settings};

/// The format as `extern.go` documents it, each `#` a number.
const EXTERN_GO_FORMAT: &str = "gc # @#s #%: #+#+# ms clock, #+#/#/#+# ms cpu, #->#-># MB, # MB goal, # MB stacks, #MB globals, # P";

/// The fields of one line, in the documented order, and whether it ended
/// with ` (forced)`. `None` if the line does not have the format.
///
/// A `#` is a decimal number; every other character of the format must
/// appear as it is, except that a number may be followed by one space
/// before a unit (`extern.go` writes `#MB globals`, `mgc.go` prints
/// `# MB globals`, and `# MB` everywhere else).
fn parse(line: &str) -> Option<(Vec<f64>, bool)> {
    let (line, forced) = match line.strip_suffix(" (forced)") {
        Some(rest) => (rest, true),
        None => (line, false),
    };
    let mut rest = line;
    let mut numbers = Vec::new();
    for (i, piece) in EXTERN_GO_FORMAT.split('#').enumerate() {
        if i > 0 {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            numbers.push(rest[..end].parse().ok()?);
            rest = &rest[end..];
            if !piece.starts_with(' ') && rest.starts_with(' ') {
                rest = &rest[1..];
            }
        }
        rest = rest.strip_prefix(piece)?;
    }
    rest.is_empty().then_some((numbers, forced))
}

/// The documented fields by name.
struct Fields {
    cycle: f64,
    at_s: f64,
    clock: [f64; 3],
    cpu: [f64; 5],
    heap: [f64; 3],
    goal: f64,
    procs: f64,
}

fn fields(n: &[f64]) -> Fields {
    assert_eq!(n.len(), 18, "18 numbers: {n:?}");
    Fields {
        cycle: n[0],
        at_s: n[1],
        clock: [n[3], n[4], n[5]],
        cpu: [n[6], n[7], n[8], n[9], n[10]],
        heap: [n[11], n[12], n[13]],
        goal: n[14],
        procs: n[17],
    }
}

/// What every sequence of lines must satisfy, Go's or ours.
fn check_lines(lines: &[String], procs: f64) {
    assert!(!lines.is_empty());
    let mut last_at = 0.0;
    for (i, line) in lines.iter().enumerate() {
        let Some((numbers, _)) = parse(line) else {
            panic!("not in extern.go's format: {line}");
        };
        let f = fields(&numbers);
        assert_eq!(f.cycle, (i + 1) as f64, "{line}");
        assert!(f.at_s >= last_at, "{line}");
        last_at = f.at_s;
        assert!(f.clock.iter().chain(&f.cpu).all(|&t| t >= 0.0));
        assert!(f.heap.iter().all(|h| h.fract() == 0.0), "whole MB: {line}");
        assert!(f.goal >= 4.0 || f.goal.fract() == 0.0, "{line}");
        assert_eq!(f.procs, procs, "{line}");
    }
}

#[test]
fn the_documented_format_parses_documented_examples() {
    let (n, forced) =
        parse("gc 1 @0.002s 2%: 0.045+0.17+0.009 ms clock, 0.091+0/0.075/0.066+0.019 ms cpu, 0->0->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)")
            .unwrap();
    assert!(forced);
    let f = fields(&n);
    assert_eq!((f.cycle, f.at_s, f.goal, f.procs), (1.0, 0.002, 4.0, 2.0));
    assert_eq!(f.cpu, [0.091, 0.0, 0.075, 0.066, 0.019]);
    assert!(parse("gc 1 @0.002s 2%: 0.045+0.17 ms clock").is_none());
    assert!(parse("gc 1 @0.002s 2%: 0.045+0.17+0.009 ms clock, 0.091+0/0.075/0.066+0.019 ms cpu, 0->0->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P extra").is_none());
}

#[test]
fn real_go_lines_parse() {
    let lines = |text: &str| text.lines().map(str::to_owned).collect::<Vec<_>>();
    let binarytrees = lines(include_str!("../benches/go/binarytrees-18.gctrace"));
    check_lines(&binarytrees, 2.0);
    let forced = lines(include_str!("../examples/go/uintptr.gctrace"));
    check_lines(&forced, 2.0);
    assert!(forced.iter().all(|l| parse(l).unwrap().1));
}

struct Node;
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
}
const LEFT: Field<Node, Node> = Field::new(0);

/// A paced heap's trace lines while it builds a 2 MB list and churns.
fn our_lines(procs: u32) -> Vec<String> {
    let mut heap = Heap::paced(
        Barrier::HybridGo,
        Settings {
            procs,
            ..Settings::default()
        },
    );
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    heap.set_gctrace_sink(move |line| sink.lock().unwrap().push(line.to_string()));
    let g = heap.new_mutator();
    let head = heap.alloc(g, Node);
    let mut tail = head;
    for i in 0..2_000_000 {
        let node = heap.alloc(g, Node);
        if i % 16 == 0 {
            heap.store(g, tail, LEFT, Some(node));
            tail = node;
        }
        heap.pop(g);
    }
    heap.gc();
    lines.lock().unwrap().clone()
}

#[test]
fn gogc_lines_parse_with_one_processor() {
    let lines = our_lines(1);
    assert!(lines.len() >= 3, "{lines:?}");
    check_lines(&lines, 1.0);
    let (last, forced) = parse(lines.last().unwrap()).unwrap();
    assert!(forced, "gc() is runtime.GC(): (forced)");
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|l| !parse(l).unwrap().1)
    );
    let f = fields(&last);
    assert_eq!(f.cpu[3], 0.0, "no idle marking on one processor");
}

#[test]
fn gogc_lines_parse_with_a_mark_worker() {
    let lines = our_lines(2);
    check_lines(&lines, 2.0);
}
