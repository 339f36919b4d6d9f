//! A runnable tour of the notes, chapter by chapter and in their order,
//! through the umbrella crate: each chapter runs the notes' own programs
//! and prints what they print, then names the crate and the command that go
//! deeper.
//!
//! ```text
//! cargo run --example tour          # every chapter, 1 slices … 8 GC
//! cargo run --example tour -- 5     # one chapter (or several: -- 1 5)
//! RUST_LOG=debug cargo run --example tour   # watch slices regrow, the map
//!                                   # grow, goroutines park, contexts get
//!                                   # canceled and the collector change phase
//! ```
//!
//! `tests/tour.rs` runs every chapter and checks the lines the notes print.

use std::fmt::Write;
use std::mem::{offset_of, size_of};
use std::process::Command;
use std::time::Duration;

use goruntime::chan::{after, make, select};
use goruntime::gc::{Barrier, Field, GcStep, Heap, Object, Settings};
use goruntime::map::{GoVersion as MapVersion, HashMap, RandomSeed};
use goruntime::sched::leak::{LeakReport, find};
use goruntime::sched::{Runtime, WaitGroup, go, sched_stats};
use goruntime::slice::{ElemType, GoVersion, growslice};

// The chapters' own programs live beside their crates' tests, which check
// them; the tour runs the same code.
#[path = "../goslice/examples/chapter1.rs"]
mod chapter1;
#[path = "../goctx/examples/chapter4.rs"]
mod chapter4;
#[allow(dead_code, reason = "the tour runs chapter5(), not the example's main")]
#[path = "../gogc/examples/uintptr.rs"]
mod chapter5_uintptr;

/// One chapter of the notes.
pub(crate) struct Chapter {
    pub(crate) number: u32,
    pub(crate) title: &'static str,
    /// Runs the chapter's programs, writing what they print.
    program: fn(&mut String),
}

const fn chapter(number: u32, title: &'static str, program: fn(&mut String)) -> Chapter {
    Chapter {
        number,
        title,
        program,
    }
}

/// The notes' chapters, in their order.
pub(crate) const CHAPTERS: &[Chapter] = &[
    chapter(1, "slices", chapter1_slices),
    chapter(2, "maps", chapter2_maps),
    chapter(3, "channels", chapter3_channels),
    chapter(4, "context", chapter4_context),
    chapter(5, "unsafe", chapter5_unsafe),
    chapter(6, "GOPATH and GOROOT", chapter6_gopath_goroot),
    chapter(7, "goroutines and the scheduler", chapter7_goroutines),
    chapter(8, "GC", chapter8_gc),
];

/// Runs chapter `n` (its `== N. title` line first); `None` if there is none.
pub(crate) fn run_chapter(n: u32) -> Option<String> {
    let chapter = CHAPTERS.iter().find(|c| c.number == n)?;
    let mut out = format!("== {n}. {}\n", chapter.title);
    (chapter.program)(&mut out);
    Some(out)
}

fn chapter1_slices(out: &mut String) {
    chapter1::aliasing(out);
    chapter1::growth(out);
    out.push('\n');
    chapter1::pass_by_value(out);
    let mut addrs = Vec::new();
    chapter1::my_append(out, &mut addrs);
    writeln!(
        out,
        "%p: s={} myAppend before={} after={}",
        addrs[0], addrs[1], addrs[2]
    )
    .unwrap();
    // 1.1's growth rules changed in 1.18 (a smooth curve from 256 instead
    // of 2x below 1024 then 1.25x) and in 1.22 (size classes of pointerful
    // elements). A 24-byte element holding pointers, a string and a pointer:
    let elem = ElemType {
        size: 24,
        pointers: true,
    };
    for v in [GoVersion::V1_17, GoVersion::V1_18, GoVersion::V1_22] {
        let caps: Vec<String> = [256, 512, 1024, 2048]
            .iter()
            .map(|&n| {
                let g = growslice(v, elem, n, n, 1).expect("small enough");
                format!("{n}->{}", g.new_cap)
            })
            .collect();
        writeln!(
            out,
            "{v}: append to a full slice of 24-byte pointerful elements: {}",
            caps.join(" ")
        )
        .unwrap();
    }
    deeper(
        out,
        "goslice (goruntime::slice)",
        "cargo xtask growslice --go 1.17 --size 24 --pointers --upto 5000",
    );
}

fn chapter2_maps(out: &mut String) {
    // The notes' map, Go 1.19's classic hmap: 2^B buckets of 8 slots,
    // doubled once the load (count / 2^B) would pass 6.5; each doubling
    // evacuates the old buckets a little at every write.
    let mut m = HashMap::with_options(0, RandomSeed::fixed(7), MapVersion::V1_19);
    let mut last_b = m.b();
    let mut evacuating_writes = 0;
    for k in 0..1000u64 {
        m.insert(k, k * k);
        evacuating_writes += usize::from(m.is_growing());
        if m.b() != last_b {
            writeln!(
                out,
                "after {} inserts: B {} -> {} (load {:.2})",
                m.len(),
                last_b,
                m.b(),
                m.load_factor()
            )
            .unwrap();
            last_b = m.b();
        }
    }
    writeln!(out, "m[31] = {}", m[&31]).unwrap();
    writeln!(
        out,
        "{evacuating_writes} of 1000 inserts left a growth in progress"
    )
    .unwrap();
    // Go 1.24+'s swiss map (the default since): groups of 8 slots with a
    // control word, tables up to 1024 slots that double and then split
    // under a directory, load at most 7/8.
    let mut m = HashMap::with_options(0, RandomSeed::fixed(7), MapVersion::V1_27);
    let mut last = m.total_capacity();
    for k in 0..1000u64 {
        m.insert(k, k * k);
        if m.total_capacity() != last {
            last = m.total_capacity();
            writeln!(
                out,
                "go1.27 swiss: after {} inserts: dirLen={} tables={} total_capacity={last}",
                m.len(),
                m.dir_len(),
                m.tables().len()
            )
            .unwrap();
        }
    }
    deeper(
        out,
        "gomap (goruntime::map)",
        "cargo xtask mapgrowth --go 1.19 --inserts 100000",
    );
}

fn chapter3_channels(out: &mut String) {
    let lines = Runtime::new()
        .gomaxprocs(2)
        .deadlock_detection(None)
        .run(|| {
            let mut out = String::new();
            // 3.3: an unbuffered send completes only once it is received.
            let ch = make::<i32>(0);
            let tx = ch.clone();
            go(move || tx.send(1));
            writeln!(out, "unbuffered: received {}", ch.recv().unwrap()).unwrap();
            // A buffered channel is a queue: sends return until it is full.
            let ch = make::<i32>(10);
            for i in 0..10 {
                ch.send(i);
            }
            let full = ch.try_send(10).is_err();
            writeln!(
                out,
                "buffered: len={} cap={} 11th send would block: {full}",
                ch.len(),
                ch.cap()
            )
            .unwrap();
            // 3.7: `v, ok := <-ch` drains what is buffered, then says closed.
            ch.close();
            let drained = std::iter::from_fn(|| ch.recv()).count();
            let (v, ok) = ch.recv().map_or((0, false), |v| (v, true));
            writeln!(
                out,
                "closed: {drained} values drained, then v, ok = {v}, {ok}"
            )
            .unwrap();
            // 3.4: a send nobody receives leaks its goroutine.
            let ch = make::<i32>(0);
            let tx = ch.clone();
            go(move || tx.send(1));
            match find(Duration::from_millis(100), &[]) {
                Ok(()) => writeln!(out, "no goroutine leaked").unwrap(),
                Err(LeakReport { goroutines }) => {
                    for g in goroutines {
                        let why = g.wait_reason.map(|r| r.to_string()).unwrap_or_default();
                        writeln!(out, "goroutine leaked: [{why}]").unwrap();
                    }
                }
            }
            out
        })
        .expect("the tour's goroutines do not panic");
    out.push_str(&lines);
    deeper(
        out,
        "gochan (goruntime::chan)",
        "cargo xtask bench chan && cargo xtask report chan",
    );
}

fn chapter4_context(out: &mut String) {
    // The notes wait a second; nothing printed depends on the length.
    let tick = Duration::from_millis(50);
    chapter4::trace_id(out);
    chapter4::worker(tick, out);
    chapter4::generator(tick, out);
    deeper(
        out,
        "goctx (goruntime::ctx)",
        "cargo run -p goctx --example cancel_tree",
    );
}

/// Chapter 5's struct, declared twice from one field list: `MixedC` laid
/// out as Go lays out the same declaration (`examples/go/unsafe.go`: in
/// order, each field at the next multiple of its alignment), `MixedRust` in
/// Rust's default layout, which may reorder fields to save padding.
/// `mixed_offsets()` gives `(field, offset in MixedC, offset in MixedRust)`.
macro_rules! mixed {
    ($($field:ident: $ty:ty),* $(,)?) => {
        #[repr(C)]
        #[allow(dead_code, reason = "only its layout is read")]
        pub(crate) struct MixedC { $($field: $ty),* }

        #[allow(dead_code, reason = "only its layout is read")]
        pub(crate) struct MixedRust { $($field: $ty),* }

        pub(crate) fn mixed_offsets() -> Vec<(&'static str, usize, usize)> {
            vec![$((
                stringify!($field),
                offset_of!(MixedC, $field),
                offset_of!(MixedRust, $field),
            )),*]
        }
    };
}

mixed! {
    flag: bool,
    count: i64,
    port: i16,
    name: &'static str,
    tag: [u8; 3],
    id: u32,
    next: *const (),
}

/// Real Go 1.27's answers on amd64 (`go run unsafe.go > unsafe.golden`).
pub(crate) const GO_UNSAFE_GOLDEN: &str = include_str!("go/unsafe.golden");

/// The number after `key=` in the golden data.
pub(crate) fn go_says(key: &str) -> Option<usize> {
    GO_UNSAFE_GOLDEN
        .split_whitespace()
        .find_map(|word| word.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
}

/// The notes' Programmer, its fields in Go's order.
#[repr(C)]
#[derive(Debug)]
pub(crate) struct Programmer {
    pub(crate) name: &'static str,
    pub(crate) language: &'static str,
}

fn chapter5_unsafe(out: &mut String) {
    writeln!(
        out,
        "field   Go Offsetof  Rust offset_of!  (repr C)  (repr Rust)"
    )
    .unwrap();
    for (field, c, rust) in mixed_offsets() {
        let go = go_says(&format!("Offsetof(Mixed.{field})")).expect("in the golden data");
        writeln!(out, "{field:<7} {go:>11}  {c:>24}  {rust:>11}").unwrap();
    }
    writeln!(
        out,
        "size    {:>11}  {:>24}  {:>11}",
        go_says("Sizeof(Mixed)").expect("in the golden data"),
        size_of::<MixedC>(),
        size_of::<MixedRust>()
    )
    .unwrap();

    // The notes: reach a field through a pointer moved by its offset.
    let mut p = Programmer {
        name: "stefno",
        language: "go",
    };
    let base: *mut Programmer = &mut p;
    // SAFETY: `base` points at `p`, live and exclusively borrowed here; the
    // first field sits at offset 0 and `language` at its `offset_of!`, both
    // properly aligned `&'static str` slots inside the struct.
    unsafe {
        *base.cast::<&'static str>() = "qcrao";
        *base
            .cast::<u8>()
            .add(offset_of!(Programmer, language))
            .cast::<&'static str>() = "Golang";
    }
    writeln!(out, "{{{} {}}}", p.name, p.language).unwrap();

    // A uintptr is just a number: it does not keep its object alive.
    for line in chapter5_uintptr::chapter5() {
        writeln!(out, "{line}").unwrap();
    }
    deeper(
        out,
        "gogc (goruntime::gc), Heap::uintptr",
        "cargo run -p gogc --example uintptr",
    );
}

fn chapter6_gopath_goroot(out: &mut String) {
    out.push_str(concat!(
        "GOROOT is where a Go toolchain is installed: the compiler, and the\n",
        "runtime and standard library as source. GOPATH was the workspace\n",
        "(bin/, pkg/, src/) where Go looked for everyone else's code; since\n",
        "Go 1.11, modules (go.mod, go.sum) name each dependency and its version\n",
        "and GOPATH only holds their cache. Rust has no counterpart to model:\n",
        "Cargo.toml and Cargo.lock are the modules, rustup's toolchain the\n",
        "GOROOT, so no crate here models this chapter.\n",
    ));
    // What `cargo xtask oracle` does to find the Go it compares against.
    match Command::new("go")
        .args(["env", "GOVERSION", "GOROOT", "GOPATH"])
        .output()
    {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let mut v = text.lines();
            let (version, goroot, gopath) = (v.next(), v.next(), v.next());
            writeln!(
                out,
                "go on PATH: `go env` says GOVERSION={} GOROOT={} GOPATH={}",
                version.unwrap_or("?"),
                goroot.unwrap_or("?"),
                gopath.unwrap_or("?")
            )
            .unwrap();
        }
        _ => out.push_str("no go on PATH: `cargo xtask oracle` would need one (or --go PATH)\n"),
    }
    deeper(
        out,
        "xtask's oracle (xtask/src/oracle.rs)",
        "cargo xtask oracle --go PATH",
    );
}

fn chapter7_goroutines(out: &mut String) {
    const GOROUTINES: u64 = 10_000;
    let (total, stats) = Runtime::new()
        .gomaxprocs(2)
        .run(|| {
            // M:N: ten thousand goroutines, a channel between them, on the
            // few threads two Ps need.
            let results = make::<u64>(16);
            let wg = WaitGroup::new();
            wg.add(GOROUTINES as i64);
            for i in 0..GOROUTINES {
                let (results, wg) = (results.clone(), wg.clone());
                go(move || {
                    results.send(i);
                    wg.done();
                });
            }
            let closer = results.clone();
            go(move || {
                wg.wait();
                closer.close();
            });
            let mut total = 0;
            loop {
                select! {
                    recv(results) -> v => match v {
                        Some(v) => total += v,
                        None => break,
                    },
                    recv(after(Duration::from_secs(30))) -> _ => panic!("goroutines stalled"),
                }
            }
            (total, sched_stats().expect("on a runtime"))
        })
        .expect("the tour's goroutines do not panic");
    writeln!(
        out,
        "sum of 0..{GOROUTINES} sent by {GOROUTINES} goroutines = {total}"
    )
    .unwrap();
    writeln!(
        out,
        "GOMAXPROCS=2: {} goroutines spawned, {} OS threads (Ms), {} steals",
        stats.spawned, stats.threads, stats.steals
    )
    .unwrap();
    writeln!(
        out,
        "a goroutine's stack: {} KiB reserved, touched as used (Go: 2 KiB, \
         grown by copying; an OS thread: 8 MiB)",
        goruntime::sched::DEFAULT_STACK_SIZE / 1024
    )
    .unwrap();
    deeper(
        out,
        "gosched (goruntime::sched)",
        "cargo xtask bench sched && cargo xtask report sched",
    );
}

/// A node of the notes' chapter 8 figures, with pointers `p` and `q`.
struct Obj;
impl Object for Obj {
    const POINTER_FIELDS: &'static [&'static str] = &["p", "q"];
}
const P: Field<Obj, Obj> = Field::new(0);
const Q: Field<Obj, Obj> = Field::new(1);

/// The notes' lost object: root set -> 1, 4; 1 -> 2 -> 3; 4 -> 7. After
/// one round 1 and 4 are black; then black 4 takes a pointer to white 3
/// (`4.q = 3`) and grey 2 lets go of it (`2.p = nil`).
fn hide_object_3(barrier: Barrier) -> Heap {
    use goruntime::gc::Work;
    let mut heap = Heap::new(barrier);
    let g = heap.new_mutator();
    let o: Vec<_> = (0..7).map(|_| heap.alloc(g, Obj)).collect();
    heap.truncate(g, 0);
    heap.store(g, o[0], P, Some(o[1]));
    heap.store(g, o[1], P, Some(o[2]));
    heap.store(g, o[3], P, Some(o[6]));
    heap.push(g, o[0]);
    heap.push(g, o[3]);
    heap.gc_start();
    if !barrier.snapshots_stacks() {
        heap.gc_work(Work::Stack(g));
    }
    heap.gc_work(Work::Object(o[0].ptr()));
    heap.gc_work(Work::Object(o[3].ptr()));
    heap.store(g, o[3], Q, Some(o[2]));
    heap.store(g, o[1], P, None);
    heap
}

fn chapter8_gc(out: &mut String) {
    writeln!(out, "{:#}", hide_object_3(Barrier::None).colours()).unwrap();
    for barrier in [
        Barrier::None,
        Barrier::Dijkstra,
        Barrier::Yuasa,
        Barrier::Hybrid,
        Barrier::HybridGo,
    ] {
        let mut heap = hide_object_3(barrier);
        while heap.gc_step() != GcStep::MarkTermination {}
        let rescanned = heap.cycle_stats().stacks_rescanned;
        match heap.verify_reachable() {
            Err(lost) => writeln!(out, "{barrier}: {lost}").unwrap(),
            Ok(()) => writeln!(
                out,
                "{barrier}: o3 kept; stacks re-scanned with the world stopped: {rescanned}"
            )
            .unwrap(),
        }
    }
    // When Go collects: GOGC=100 lets the heap grow to twice what the last
    // cycle marked (at least 4 MiB) before the next one starts.
    let mut heap = Heap::paced(Barrier::HybridGo, Settings::default());
    let g = heap.new_mutator();
    for _ in 0..1_000_000 {
        heap.alloc(g, Leaf);
        heap.pop(g);
    }
    let stats = heap.stats();
    writeln!(
        out,
        "GOGC=100: 1000000 garbage objects, {} cycles, heap {} KiB, next goal {} MiB",
        stats.num_gc,
        stats.heap_alloc >> 10,
        stats.next_gc >> 20
    )
    .unwrap();
    deeper(
        out,
        "gogc (goruntime::gc)",
        "cargo xtask gc-explore --barrier none --cases 3000",
    );
}

/// An object with no pointers: 8 bytes on the heap.
struct Leaf;

impl Object for Leaf {
    const POINTER_FIELDS: &'static [&'static str] = &[];
}

/// The chapter's last line: where to go deeper.
fn deeper(out: &mut String, krate: &str, command: &str) {
    writeln!(out, "-> deeper: {krate}; {command}").unwrap();
}

#[allow(
    dead_code,
    reason = "tests/tour.rs includes this file for its chapters"
)]
fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut chosen: Vec<u32> = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.parse() {
            Ok(n) if CHAPTERS.iter().any(|c| c.number == n) => chosen.push(n),
            _ => {
                eprintln!("usage: cargo run --example tour [-- CHAPTER...] (chapters 1-8)");
                std::process::exit(2);
            }
        }
    }
    if chosen.is_empty() {
        chosen = CHAPTERS.iter().map(|c| c.number).collect();
    }
    for n in chosen {
        print!("{}", run_chapter(n).expect("checked above"));
    }
}
