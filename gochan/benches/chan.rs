//! gochan's criterion benches: crossbeam-channel's benchmark shapes
//! (`crossbeam-channel/benchmarks/`: seq, spsc, mpsc, mpmc, select_rx,
//! select_both; capacity 0, 1 and N) on OS threads, with gochan beside
//! crossbeam-channel, flume and `std::sync::mpsc` in each group, so one run
//! gives the ratios. Every iteration moves `MESSAGES` messages; criterion's
//! throughput line gives messages per second (ns per message = 1e9 / that).
//!
//! The `goroutines/...` groups run the same shapes with goroutines on a
//! gosched runtime, beside the same shapes in Go (`benches/go/chanbench.go`,
//! built and run when `go` is on PATH; it times itself), plus the
//! `pingpong` and `prodcons` shapes of the examples.
//!
//! Run: `cargo xtask bench chan` (or `cargo bench -p gochan --bench chan`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Messages per iteration.
const MESSAGES: usize = 20_000;
/// Producer / consumer threads in the multi-party shapes.
const THREADS: usize = 4;

/// One channel implementation, as the shapes need it.
trait Flavor {
    const NAME: &'static str;
    type Tx: Clone + Send;
    type Rx: Send;
    fn new(cap: usize) -> (Self::Tx, Self::Rx);
    fn send(tx: &Self::Tx, v: usize);
    fn recv(rx: &Self::Rx) -> usize;
    /// A second receiver of the same channel (multi-consumer), if supported.
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx>;
    /// Receive from whichever of four is ready, if the flavour has select.
    fn select_recv(rxs: &[Self::Rx]) -> Option<usize>;
    /// Send to whichever of four is ready, if the flavour has select.
    fn select_send(txs: &[Self::Tx], v: usize) -> Option<()>;
}

/// This crate's channels (the id `go`, in the goroutine groups, is real Go).
struct Gochan;
impl Flavor for Gochan {
    const NAME: &'static str = "gochan";
    type Tx = gochan::Chan<usize>;
    type Rx = gochan::Chan<usize>;
    fn new(cap: usize) -> (Self::Tx, Self::Rx) {
        let c = gochan::make(cap);
        (c.clone(), c)
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.send(v)
    }
    fn recv(rx: &Self::Rx) -> usize {
        rx.recv().unwrap()
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
    fn select_recv(r: &[Self::Rx]) -> Option<usize> {
        Some(gochan::select! {
            recv(r[0]) -> v => v.unwrap(),
            recv(r[1]) -> v => v.unwrap(),
            recv(r[2]) -> v => v.unwrap(),
            recv(r[3]) -> v => v.unwrap(),
        })
    }
    fn select_send(t: &[Self::Tx], v: usize) -> Option<()> {
        gochan::select! {
            send(t[0], v) => {},
            send(t[1], v) => {},
            send(t[2], v) => {},
            send(t[3], v) => {},
        }
        Some(())
    }
}

struct Crossbeam;
impl Flavor for Crossbeam {
    const NAME: &'static str = "crossbeam-channel";
    type Tx = crossbeam_channel::Sender<usize>;
    type Rx = crossbeam_channel::Receiver<usize>;
    fn new(cap: usize) -> (Self::Tx, Self::Rx) {
        crossbeam_channel::bounded(cap)
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).unwrap()
    }
    fn recv(rx: &Self::Rx) -> usize {
        rx.recv().unwrap()
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
    fn select_recv(r: &[Self::Rx]) -> Option<usize> {
        Some(crossbeam_channel::select! {
            recv(r[0]) -> v => v.unwrap(),
            recv(r[1]) -> v => v.unwrap(),
            recv(r[2]) -> v => v.unwrap(),
            recv(r[3]) -> v => v.unwrap(),
        })
    }
    fn select_send(t: &[Self::Tx], v: usize) -> Option<()> {
        crossbeam_channel::select! {
            send(t[0], v) -> r => r.unwrap(),
            send(t[1], v) -> r => r.unwrap(),
            send(t[2], v) -> r => r.unwrap(),
            send(t[3], v) -> r => r.unwrap(),
        }
        Some(())
    }
}

struct Flume;
impl Flavor for Flume {
    const NAME: &'static str = "flume";
    type Tx = flume::Sender<usize>;
    type Rx = flume::Receiver<usize>;
    fn new(cap: usize) -> (Self::Tx, Self::Rx) {
        flume::bounded(cap)
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).unwrap()
    }
    fn recv(rx: &Self::Rx) -> usize {
        rx.recv().unwrap()
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
    fn select_recv(r: &[Self::Rx]) -> Option<usize> {
        Some(
            flume::Selector::new()
                .recv(&r[0], |v| v.unwrap())
                .recv(&r[1], |v| v.unwrap())
                .recv(&r[2], |v| v.unwrap())
                .recv(&r[3], |v| v.unwrap())
                .wait(),
        )
    }
    fn select_send(t: &[Self::Tx], v: usize) -> Option<()> {
        flume::Selector::new()
            .send(&t[0], v, |r| r.unwrap())
            .send(&t[1], v, |r| r.unwrap())
            .send(&t[2], v, |r| r.unwrap())
            .send(&t[3], v, |r| r.unwrap())
            .wait();
        Some(())
    }
}

struct Std;
impl Flavor for Std {
    const NAME: &'static str = "std::sync::mpsc";
    type Tx = std::sync::mpsc::SyncSender<usize>;
    type Rx = std::sync::mpsc::Receiver<usize>;
    fn new(cap: usize) -> (Self::Tx, Self::Rx) {
        std::sync::mpsc::sync_channel(cap)
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.send(v).unwrap()
    }
    fn recv(rx: &Self::Rx) -> usize {
        rx.recv().unwrap()
    }
    fn clone_rx(_: &Self::Rx) -> Option<Self::Rx> {
        None
    }
    fn select_recv(_: &[Self::Rx]) -> Option<usize> {
        None
    }
    fn select_send(_: &[Self::Tx], _: usize) -> Option<()> {
        None
    }
}

/// The shapes of crossbeam-channel's `benchmarks/`: each moves `MESSAGES`
/// messages and returns `None` when the flavour cannot express it.
mod shape {
    use super::*;

    pub(super) fn seq<F: Flavor>(cap: usize) -> Option<()> {
        let (tx, rx) = F::new(cap);
        for i in 0..MESSAGES {
            F::send(&tx, i);
        }
        for _ in 0..MESSAGES {
            black_box(F::recv(&rx));
        }
        Some(())
    }

    pub(super) fn spsc<F: Flavor>(cap: usize) -> Option<()> {
        let (tx, rx) = F::new(cap);
        std::thread::scope(|s| {
            s.spawn(move || {
                for i in 0..MESSAGES {
                    F::send(&tx, i);
                }
            });
            for _ in 0..MESSAGES {
                black_box(F::recv(&rx));
            }
        });
        Some(())
    }

    pub(super) fn mpsc<F: Flavor>(cap: usize) -> Option<()> {
        let (tx, rx) = F::new(cap);
        std::thread::scope(|s| {
            for _ in 0..THREADS {
                let tx = tx.clone();
                s.spawn(move || {
                    for i in 0..MESSAGES / THREADS {
                        F::send(&tx, i);
                    }
                });
            }
            for _ in 0..MESSAGES {
                black_box(F::recv(&rx));
            }
        });
        Some(())
    }

    pub(super) fn mpmc<F: Flavor>(cap: usize) -> Option<()> {
        let (tx, rx) = F::new(cap);
        let rxs: Vec<F::Rx> = (0..THREADS)
            .map(|_| F::clone_rx(&rx))
            .collect::<Option<_>>()?;
        std::thread::scope(|s| {
            for _ in 0..THREADS {
                let tx = tx.clone();
                s.spawn(move || {
                    for i in 0..MESSAGES / THREADS {
                        F::send(&tx, i);
                    }
                });
            }
            for rx in rxs {
                s.spawn(move || {
                    for _ in 0..MESSAGES / THREADS {
                        black_box(F::recv(&rx));
                    }
                });
            }
        });
        Some(())
    }

    pub(super) fn select_rx<F: Flavor>(cap: usize) -> Option<()> {
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..THREADS).map(|_| F::new(cap)).unzip();
        // Keep every sender alive until the end: crossbeam and flume
        // disconnect a channel when its last sender drops, and a select
        // would then fire on the disconnected channel (Go has no such
        // event).
        let _keep = txs.clone();
        std::thread::scope(|s| {
            for tx in txs {
                s.spawn(move || {
                    for i in 0..MESSAGES / THREADS {
                        F::send(&tx, i);
                    }
                });
            }
            for _ in 0..MESSAGES {
                black_box(F::select_recv(&rxs));
            }
        });
        Some(())
    }

    pub(super) fn select_both<F: Flavor>(cap: usize) -> Option<()> {
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..THREADS).map(|_| F::new(cap)).unzip();
        std::thread::scope(|s| {
            for _ in 0..THREADS {
                let txs = txs.clone();
                s.spawn(move || {
                    for i in 0..MESSAGES / THREADS {
                        F::select_send(&txs, i);
                    }
                });
            }
            for _ in 0..THREADS {
                let rxs: Vec<F::Rx> = rxs
                    .iter()
                    .map(|r| F::clone_rx(r).expect("multi-consumer"))
                    .collect();
                s.spawn(move || {
                    for _ in 0..MESSAGES / THREADS {
                        black_box(F::select_recv(&rxs));
                    }
                });
            }
        });
        Some(())
    }
}

type Shape = fn(usize) -> Option<()>;

fn bench_threads(c: &mut Criterion) {
    let n = MESSAGES;
    #[allow(clippy::type_complexity)] // a table: name, caps, one fn per flavour
    let shapes: &[(&str, &[usize], [Option<Shape>; 4])] = &[
        (
            "seq",
            &[n],
            [
                Some(shape::seq::<Gochan>),
                Some(shape::seq::<Crossbeam>),
                Some(shape::seq::<Flume>),
                Some(shape::seq::<Std>),
            ],
        ),
        (
            "spsc",
            &[0, 1, n],
            [
                Some(shape::spsc::<Gochan>),
                Some(shape::spsc::<Crossbeam>),
                Some(shape::spsc::<Flume>),
                Some(shape::spsc::<Std>),
            ],
        ),
        (
            "mpsc",
            &[0, 1, n],
            [
                Some(shape::mpsc::<Gochan>),
                Some(shape::mpsc::<Crossbeam>),
                Some(shape::mpsc::<Flume>),
                Some(shape::mpsc::<Std>),
            ],
        ),
        (
            "mpmc",
            &[0, 1, n],
            [
                Some(shape::mpmc::<Gochan>),
                Some(shape::mpmc::<Crossbeam>),
                Some(shape::mpmc::<Flume>),
                None,
            ],
        ),
        (
            "select_rx",
            &[0, 1, n],
            [
                Some(shape::select_rx::<Gochan>),
                Some(shape::select_rx::<Crossbeam>),
                Some(shape::select_rx::<Flume>),
                None,
            ],
        ),
        (
            "select_both",
            &[0, 1, n],
            [
                Some(shape::select_both::<Gochan>),
                Some(shape::select_both::<Crossbeam>),
                Some(shape::select_both::<Flume>),
                None,
            ],
        ),
    ];
    let names = [Gochan::NAME, Crossbeam::NAME, Flume::NAME, Std::NAME];
    for (shape, caps, fns) in shapes {
        for &cap in *caps {
            let label = if cap == n {
                "N".to_string()
            } else {
                cap.to_string()
            };
            let mut g = c.benchmark_group(format!("threads/{shape}/cap{label}"));
            g.throughput(Throughput::Elements(MESSAGES as u64));
            g.sample_size(10);
            g.warm_up_time(Duration::from_millis(500));
            for (name, f) in names.iter().zip(fns) {
                let Some(f) = *f else { continue };
                if *shape == "select_both" && *name == Flume::NAME {
                    // flume 0.12's Selector hangs here (seen at capacity 0
                    // and 1): a selecting sender and a selecting receiver
                    // can both park for good.
                    continue;
                }
                g.bench_function(*name, |b| {
                    b.iter_custom(|iters| {
                        let start = Instant::now();
                        for _ in 0..iters {
                            f(cap).expect("shape supported");
                        }
                        start.elapsed()
                    })
                });
            }
            g.finish();
        }
    }
}

/// The same shapes with goroutines on one gosched runtime (GOMAXPROCS from
/// the environment, else the core count, as Go), gochan only.
mod gshape {
    use super::*;
    use gochan::{Chan, make, select};
    use gosched::{WaitGroup, go};

    pub(super) fn seq(cap: usize) {
        let c: Chan<usize> = make(cap);
        for i in 0..MESSAGES {
            c.send(i);
        }
        for _ in 0..MESSAGES {
            black_box(c.recv());
        }
    }

    pub(super) fn spsc(cap: usize) {
        let c: Chan<usize> = make(cap);
        let done: Chan<()> = make(0);
        let (c1, d1) = (c.clone(), done.clone());
        go(move || {
            for i in 0..MESSAGES {
                c1.send(i);
            }
            d1.send(());
        });
        for _ in 0..MESSAGES {
            black_box(c.recv());
        }
        done.recv();
    }

    pub(super) fn mpsc(cap: usize) {
        let c: Chan<usize> = make(cap);
        let wg = WaitGroup::new();
        for _ in 0..THREADS {
            let (c, wg) = (c.clone(), wg.clone());
            wg.add(1);
            go(move || {
                for i in 0..MESSAGES / THREADS {
                    c.send(i);
                }
                wg.done();
            });
        }
        for _ in 0..MESSAGES {
            black_box(c.recv());
        }
        wg.wait();
    }

    pub(super) fn mpmc(cap: usize) {
        let c: Chan<usize> = make(cap);
        let wg = WaitGroup::new();
        for _ in 0..THREADS {
            wg.add(2);
            let (c1, w1) = (c.clone(), wg.clone());
            go(move || {
                for i in 0..MESSAGES / THREADS {
                    c1.send(i);
                }
                w1.done();
            });
            let (c2, w2) = (c.clone(), wg.clone());
            go(move || {
                for _ in 0..MESSAGES / THREADS {
                    black_box(c2.recv());
                }
                w2.done();
            });
        }
        wg.wait();
    }

    fn four(cap: usize) -> [Chan<usize>; 4] {
        [make(cap), make(cap), make(cap), make(cap)]
    }

    fn select_recv(r: &[Chan<usize>; 4]) -> Option<usize> {
        select! {
            recv(r[0]) -> v => v,
            recv(r[1]) -> v => v,
            recv(r[2]) -> v => v,
            recv(r[3]) -> v => v,
        }
    }

    pub(super) fn select_rx(cap: usize) {
        let c = four(cap);
        let wg = WaitGroup::new();
        for ch in &c {
            let (ch, wg) = (ch.clone(), wg.clone());
            wg.add(1);
            go(move || {
                for i in 0..MESSAGES / THREADS {
                    ch.send(i);
                }
                wg.done();
            });
        }
        for _ in 0..MESSAGES {
            black_box(select_recv(&c));
        }
        wg.wait();
    }

    pub(super) fn select_both(cap: usize) {
        let c = four(cap);
        let wg = WaitGroup::new();
        for _ in 0..THREADS {
            wg.add(2);
            let (t, w1) = (c.clone(), wg.clone());
            go(move || {
                for i in 0..MESSAGES / THREADS {
                    select! {
                        send(t[0], i) => {},
                        send(t[1], i) => {},
                        send(t[2], i) => {},
                        send(t[3], i) => {},
                    }
                }
                w1.done();
            });
            let (r, w2) = (c.clone(), wg.clone());
            go(move || {
                for _ in 0..MESSAGES / THREADS {
                    black_box(select_recv(&r));
                }
                w2.done();
            });
        }
        wg.wait();
    }

    /// `MESSAGES` round trips over two unbuffered channels.
    pub(super) fn pingpong(_: usize) {
        let ping: Chan<usize> = make(0);
        let pong: Chan<usize> = make(0);
        let (pi, po) = (ping.clone(), pong.clone());
        go(move || {
            for v in &pi {
                po.send(v + 1);
            }
        });
        for i in 0..MESSAGES {
            ping.send(i);
            black_box(pong.recv());
        }
        ping.close();
    }

    /// One producer, one consumer goroutine.
    pub(super) fn prodcons(cap: usize) {
        let c: Chan<usize> = make(cap);
        let done: Chan<()> = make(0);
        let (rx, d) = (c.clone(), done.clone());
        go(move || {
            for v in &rx {
                black_box(v);
            }
            d.send(());
        });
        for i in 0..MESSAGES {
            c.send(i);
        }
        c.close();
        done.recv();
    }
}

/// A gosched runtime kept alive for the whole bench run.
fn runtime() -> &'static gosched::Handle {
    static HANDLE: std::sync::OnceLock<gosched::Handle> = std::sync::OnceLock::new();
    HANDLE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = gosched::Runtime::new()
                .deadlock_detection(None)
                .run(move || {
                    tx.send(gosched::Handle::current().expect("on a goroutine"))
                        .expect("bench waits");
                    gochan::Chan::<()>::nil().recv(); // park forever
                });
        });
        rx.recv().expect("runtime started")
    })
}

/// Runs `iters` rounds of `f(cap)` in a goroutine, timed inside it.
fn on_goroutines(f: fn(usize), cap: usize, iters: u64) -> Duration {
    let done = gochan::make::<Duration>(1);
    let d = done.clone();
    runtime().spawn(move || {
        let start = Instant::now();
        for _ in 0..iters {
            f(cap);
        }
        d.send(start.elapsed());
    });
    done.recv().expect("bench goroutine reports")
}

/// The Go twin (`benches/go/chanbench.go`), built once if `go` is on PATH.
fn go_twin() -> Option<&'static std::path::Path> {
    static BIN: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/go/chanbench.go");
        let out = std::env::temp_dir().join(format!("gochan-chanbench-{}", std::process::id()));
        let ok = std::process::Command::new("go")
            .args(["build", "-o"])
            .arg(&out)
            .arg(&src)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            Some(out)
        } else {
            eprintln!("note: `go` not on PATH (or build failed): Go twins skipped");
            None
        }
    })
    .as_deref()
}

/// Runs the Go twin for `iters` rounds; Go reports its own elapsed time.
fn on_go(bin: &std::path::Path, shape: &str, cap: usize, iters: u64) -> Duration {
    let out = std::process::Command::new(bin)
        .args([shape, &cap.to_string(), &iters.to_string()])
        .output()
        .expect("run the Go twin");
    let ns: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("Go twin prints nanoseconds");
    Duration::from_nanos(ns)
}

fn bench_goroutines(c: &mut Criterion) {
    let n = MESSAGES;
    #[allow(clippy::type_complexity)] // a table
    let shapes: &[(&str, &[usize], fn(usize))] = &[
        ("seq", &[n], gshape::seq),
        ("spsc", &[0, 1, n], gshape::spsc),
        ("mpsc", &[0, 1, n], gshape::mpsc),
        ("mpmc", &[0, 1, n], gshape::mpmc),
        ("select_rx", &[0, 1, n], gshape::select_rx),
        ("select_both", &[0, 1, n], gshape::select_both),
        ("pingpong", &[0], gshape::pingpong),
        ("prodcons", &[100], gshape::prodcons),
    ];
    for &(shape, caps, f) in shapes {
        for &cap in caps {
            let label = if cap == n {
                "N".to_string()
            } else {
                cap.to_string()
            };
            let mut g = c.benchmark_group(format!("goroutines/{shape}/cap{label}"));
            g.throughput(Throughput::Elements(MESSAGES as u64));
            g.sample_size(10);
            g.warm_up_time(Duration::from_millis(500));
            g.bench_function("gochan", |b| {
                b.iter_custom(|iters| on_goroutines(f, cap, iters))
            });
            if let Some(bin) = go_twin() {
                g.bench_function("go", |b| {
                    b.iter_custom(|iters| on_go(bin, shape, cap, iters))
                });
            }
            g.finish();
        }
    }
}

criterion_group!(benches, bench_goroutines, bench_threads);
criterion_main!(benches);
