//! Why Go 1.8 took the hybrid barrier (proposal 17503): under Dijkstra's
//! insertion barrier mark termination re-scans every goroutine stack with
//! the world stopped, so the pause grows with the number of goroutines;
//! under the hybrid barrier no stack is re-scanned and the pause stays flat.
//!
//! N mutators, each with a small root stack, share a heap of about 100 000
//! objects (a binary tree under a few globals) and keep changing it — loads
//! into their stacks, barriered stores, allocations — one operation per
//! collector step while a cycle runs. The program prints one line: the
//! longest stop-the-world phase of that cycle (sweep termination or mark
//! termination), in microseconds (to a tenth).
//!
//! ```text
//! cargo run --release -p gogc --example stw -- --barrier dijkstra --stacks 100000
//! barrier=dijkstra stacks=100000 max_stw_us=…
//! ```
//!
//! Options: `--barrier B` (default hybrid-go), `--stacks N` (default 1000),
//! `--objects N` (default 100000), `--seed S`.

use std::process::ExitCode;

use gogc::{Barrier, Field, Gc, GcStep, Heap, Mutator, Object, Phase};

struct Node {
    value: u64,
}

impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
}

const FIELDS: [Field<Node, Node>; 2] = [Field::new(0), Field::new(1)];

/// Root slots per mutator stack.
const STACK_SLOTS: usize = 4;
/// Globals holding the tree's top.
const GLOBALS: usize = 8;

struct Args {
    barrier: Barrier,
    stacks: usize,
    objects: usize,
    seed: u64,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        barrier: Barrier::HybridGo,
        stacks: 1000,
        objects: 100_000,
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--barrier" => args.barrier = value()?.parse().map_err(|e| format!("{e}"))?,
            "--stacks" => args.stacks = number(&flag, &value()?)?,
            "--objects" => args.objects = number(&flag, &value()?)?.max(1),
            "--seed" => args.seed = number(&flag, &value()?)? as u64,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn number(flag: &str, text: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("{flag} takes a number, not `{text}`"))
}

/// xorshift64*: the example needs cheap, repeatable choices, not a crate.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// Builds the tree (`nodes[i]`'s children are `nodes[2i+1]`, `nodes[2i+2]`)
/// under the globals, and gives each mutator random nodes on its stack.
fn build(heap: &mut Heap, args: &Args, rng: &mut Rng) -> Vec<Mutator> {
    let builder = heap.new_mutator();
    let nodes: Vec<Gc<Node>> = (0..args.objects)
        .map(|i| heap.alloc(builder, Node { value: i as u64 }))
        .collect();
    for (i, &node) in nodes.iter().enumerate() {
        for (k, field) in FIELDS.into_iter().enumerate() {
            if let Some(&child) = nodes.get(2 * i + 1 + k) {
                heap.store(builder, node, field, Some(child));
            }
        }
    }
    for (i, &node) in nodes.iter().take(GLOBALS).enumerate() {
        let global = heap.new_global::<Node>();
        debug_assert_eq!(global.index(), i);
        heap.set_global(builder, global, Some(node));
    }
    let mutators = (0..args.stacks)
        .map(|_| heap.new_mutator())
        .collect::<Vec<_>>();
    for &m in &mutators {
        for _ in 0..STACK_SLOTS {
            heap.push(m, nodes[rng.below(nodes.len())]);
        }
    }
    heap.exit(builder);
    mutators
}

/// One mutator operation: a load into a stack slot, a barriered store
/// between the stack's objects, or an allocation linked into the heap.
fn mutate(heap: &mut Heap, m: Mutator, rng: &mut Rng) {
    let slot = rng.below(STACK_SLOTS);
    let Some(obj) = heap.stack(m)[slot] else {
        return;
    };
    let obj = heap.cast::<Node>(obj).expect("stacks hold nodes");
    let field = FIELDS[rng.below(2)];
    match rng.below(4) {
        0 | 1 => {
            if let Some(next) = heap.load(obj, field) {
                heap.set_stack(m, slot, next);
            }
        }
        2 => {
            let other = heap.stack(m)[rng.below(STACK_SLOTS)];
            let other = other.map(|p| heap.cast::<Node>(p).expect("stacks hold nodes"));
            heap.store(m, obj, field, other);
        }
        _ => {
            let value = heap.get(obj).value;
            let fresh = heap.alloc(m, Node { value });
            if let Some(old) = heap.load(obj, field) {
                heap.store(m, fresh, FIELDS[0], Some(old));
            }
            heap.store(m, obj, field, Some(fresh));
            heap.pop(m);
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rng = Rng(args.seed.max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut heap = Heap::new(args.barrier);
    let mutators = build(&mut heap, &args, &mut rng);
    heap.gc(); // settle: the measured cycle starts from a swept heap

    heap.gc_start();
    let mut next = 0;
    loop {
        if !mutators.is_empty() {
            mutate(&mut heap, mutators[next], &mut rng);
            next = (next + 1) % mutators.len();
        }
        if heap.gc_step() == GcStep::MarkTermination {
            break;
        }
    }
    while heap.phase() == Phase::Sweep {
        heap.gc_step();
    }
    let pause = heap.cycle_stats().max_stw();
    // Tenths of a microsecond: the hybrid's pauses are below one.
    println!(
        "barrier={} stacks={} max_stw_us={:.1}",
        args.barrier,
        args.stacks,
        pause.as_secs_f64() * 1e6
    );
    ExitCode::SUCCESS
}
