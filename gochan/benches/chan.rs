//! gochan's criterion benches: crossbeam-channel's benchmark shapes
//! (`crossbeam-channel/benchmarks/`: seq, spsc, mpsc, mpmc, select_rx,
//! select_both; capacity 0, 1 and N) on OS threads, with gochan beside
//! crossbeam-channel, flume and `std::sync::mpsc` in each group, so one run
//! gives the ratios. Every iteration moves `MESSAGES` messages; criterion's
//! throughput line gives messages per second (ns per message = 1e9 / that).
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

struct Go;
impl Flavor for Go {
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
        let rxs: Vec<F::Rx> = (0..THREADS).map(|_| F::clone_rx(&rx)).collect::<Option<_>>()?;
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
                let rxs: Vec<F::Rx> = rxs.iter().map(|r| F::clone_rx(r).expect("multi-consumer")).collect();
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
        ("seq", &[n], [Some(shape::seq::<Go>), Some(shape::seq::<Crossbeam>), Some(shape::seq::<Flume>), Some(shape::seq::<Std>)]),
        ("spsc", &[0, 1, n], [Some(shape::spsc::<Go>), Some(shape::spsc::<Crossbeam>), Some(shape::spsc::<Flume>), Some(shape::spsc::<Std>)]),
        ("mpsc", &[0, 1, n], [Some(shape::mpsc::<Go>), Some(shape::mpsc::<Crossbeam>), Some(shape::mpsc::<Flume>), Some(shape::mpsc::<Std>)]),
        ("mpmc", &[0, 1, n], [Some(shape::mpmc::<Go>), Some(shape::mpmc::<Crossbeam>), Some(shape::mpmc::<Flume>), None]),
        ("select_rx", &[0, 1, n], [Some(shape::select_rx::<Go>), Some(shape::select_rx::<Crossbeam>), Some(shape::select_rx::<Flume>), None]),
        ("select_both", &[0, 1, n], [Some(shape::select_both::<Go>), Some(shape::select_both::<Crossbeam>), Some(shape::select_both::<Flume>), None]),
    ];
    let names = [Go::NAME, Crossbeam::NAME, Flume::NAME, Std::NAME];
    for (shape, caps, fns) in shapes {
        for &cap in *caps {
            let label = if cap == n { "N".to_string() } else { cap.to_string() };
            let mut g = c.benchmark_group(format!("threads/{shape}/cap{label}"));
            g.throughput(Throughput::Elements(MESSAGES as u64));
            g.sample_size(10);
            g.warm_up_time(Duration::from_millis(500));
            for (name, f) in names.iter().zip(fns) {
                let Some(f) = *f else { continue };
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

criterion_group!(benches, bench_threads);
criterion_main!(benches);
