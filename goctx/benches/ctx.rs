//! goctx's criterion benches: the shapes of Go's
//! `context/benchmark_test.go` (Go 1.27) — `CancelTree`, `CheckCanceled`,
//! `ErrOK`/`ErrCanceled`, `ContextCancelDone`, `CommonParentCancel`,
//! `WithTimeout`, `DeepValue{Same,New}GoRoutine` — plus `cancel_tree`
//! (N children of one root, every `done()` taken, the root canceled, every
//! `done()` received from: the example's shape). Each group puts goctx
//! beside `tokio_util::sync::CancellationToken` where the shapes coincide
//! (no values, no deadlines: its `is_cancelled()` stands for `Err()` and for
//! a `select` on `Done()` with a default, `child_token()` for `WithCancel`),
//! and beside Go itself (`benches/go/ctxbench`, built and run when `go` is
//! on PATH; it times itself).
//!
//! Go's parallel shapes (`b.RunParallel`) run on as many OS threads as
//! gosched's default `GOMAXPROCS`; Go's `select { case <-ctx.Done():
//! default: }` is compiled to a non-blocking receive, which is
//! `ctx.done().try_recv()` here.
//!
//! Run: `cargo xtask bench ctx` (or `cargo bench -p goctx --bench ctx`).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gochan::RecvChan;
use goctx::{
    CancelFunc, Context, ContextKey, Key, background, with_cancel, with_timeout, with_value,
};
use tokio_util::sync::CancellationToken;

/// The Go twin (`benches/go/ctxbench`), built once if `go` is on PATH.
fn go_twin() -> Option<&'static Path> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/go/ctxbench");
        let out = std::env::temp_dir().join(format!("goctx-ctxbench-{}", std::process::id()));
        let ok = std::process::Command::new("go")
            .args(["build", "-o"])
            .arg(&out)
            .arg(".")
            .current_dir(&dir)
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

/// Runs the Go twin's `shape` for `iters` operations; Go reports its own
/// elapsed time.
fn on_go(bin: &Path, shape: &str, param: usize, iters: u64) -> Duration {
    let out = std::process::Command::new(bin)
        .args([shape, &param.to_string(), &iters.to_string()])
        .output()
        .expect("run the Go twin");
    assert!(out.status.success(), "Go twin {shape} failed: {out:?}");
    let ns: u64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("Go twin prints nanoseconds");
    Duration::from_nanos(ns)
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// Adds the Go twin's `shape` to `g` under the id `go`, with `param` as
/// the criterion parameter if the shape has one.
fn bench_go(g: &mut Group<'_>, shape: &'static str, param: Option<usize>) {
    let Some(bin) = go_twin() else { return };
    let p = param.unwrap_or(0);
    let run =
        move |b: &mut criterion::Bencher<'_>| b.iter_custom(|iters| on_go(bin, shape, p, iters));
    match param {
        Some(p) => g.bench_with_input(BenchmarkId::new("go", p), &p, |b, _| run(b)),
        None => g.bench_function("go", run),
    };
}

/// `b.RunParallel`: `body(n)` on `threads` OS threads sharing `iters`
/// operations; the wall time.
fn parallel(iters: u64, body: &(dyn Fn(u64) + Sync)) -> Duration {
    let threads = gosched::gomaxprocs() as u64;
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let n = iters / threads + u64::from(t < iters % threads);
            s.spawn(move || body(n));
        }
    });
    start.elapsed()
}

fn quick(g: &mut Group<'_>) {
    g.warm_up_time(Duration::from_millis(300));
    g.measurement_time(Duration::from_secs(1));
    g.sample_size(20);
}

/// `buildContextTree(root, depth)`: a chain of `depth` `WithCancel`s.
fn build_context_tree(mut root: Context, depth: usize) {
    for _ in 0..depth {
        root = with_cancel(&root).0;
    }
    black_box(root);
}

fn build_token_tree(mut root: CancellationToken, depth: usize) {
    for _ in 0..depth {
        root = root.child_token();
    }
    black_box(root);
}

fn cancel_tree(c: &mut Criterion) {
    #[allow(clippy::type_complexity)] // a table
    let roots: &[(&str, &str, fn(usize), fn(usize))] = &[
        (
            "Root=Background",
            "CancelTreeBackground",
            |d| build_context_tree(background(), d),
            |d| build_token_tree(CancellationToken::new(), d),
        ),
        (
            "Root=OpenCanceler",
            "CancelTreeOpen",
            |d| {
                let (ctx, cancel) = with_cancel(&background());
                build_context_tree(ctx, d);
                cancel.cancel();
            },
            |d| {
                let t = CancellationToken::new();
                build_token_tree(t.clone(), d);
                t.cancel();
            },
        ),
        (
            "Root=ClosedCanceler",
            "CancelTreeClosed",
            |d| {
                let (ctx, cancel) = with_cancel(&background());
                cancel.cancel();
                build_context_tree(ctx, d);
            },
            |d| {
                let t = CancellationToken::new();
                t.cancel();
                build_token_tree(t, d);
            },
        ),
    ];
    for &(name, shape, ours, tokio) in roots {
        let mut g = c.benchmark_group(format!("CancelTree/{name}"));
        quick(&mut g);
        for depth in [1, 10, 100, 1000] {
            g.bench_with_input(BenchmarkId::new("goctx", depth), &depth, |b, &d| {
                b.iter(|| ours(d))
            });
            g.bench_with_input(BenchmarkId::new("tokio-util", depth), &depth, |b, &d| {
                b.iter(|| tokio(d))
            });
            bench_go(&mut g, shape, Some(depth));
        }
        g.finish();
    }

    // The example's shape, per child.
    let mut g = c.benchmark_group("CancelTree/children");
    quick(&mut g);
    for n in [1000, 100_000] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("goctx", n), &n, |b, &n| {
            b.iter(|| {
                let (root, cancel) = with_cancel(&background());
                let dones: Vec<RecvChan<()>> = (0..n)
                    .map(|_| with_cancel(&root).0.done().clone())
                    .collect();
                cancel.cancel();
                for d in &dones {
                    assert_eq!(d.recv(), None);
                }
            })
        });
        g.bench_with_input(BenchmarkId::new("tokio-util", n), &n, |b, &n| {
            b.iter(|| {
                let root = CancellationToken::new();
                let children: Vec<CancellationToken> = (0..n).map(|_| root.child_token()).collect();
                root.cancel();
                for c in &children {
                    assert!(c.is_cancelled());
                }
            })
        });
        bench_go(&mut g, "CancelTreeN", Some(n));
    }
    g.finish();
}

fn check(c: &mut Criterion) {
    let (live, _keep) = with_cancel(&background());
    let (canceled, cancel) = with_cancel(&background());
    cancel.cancel();
    let live_token = CancellationToken::new();
    let canceled_token = CancellationToken::new();
    canceled_token.cancel();
    #[allow(clippy::type_complexity)] // a table
    let shapes: &[(&str, &str, &dyn Fn(), &dyn Fn())] = &[
        (
            "ErrOK",
            "ErrOK",
            &|| assert!(black_box(&live).err().is_none()),
            &|| assert!(!black_box(&live_token).is_cancelled()),
        ),
        (
            "ErrCanceled",
            "ErrCanceled",
            &|| assert!(black_box(&canceled).err().is_some()),
            &|| assert!(black_box(&canceled_token).is_cancelled()),
        ),
        (
            "CheckCanceled.Err",
            "CheckCanceledErr",
            &|| {
                black_box(black_box(&canceled).err());
            },
            &|| {
                black_box(black_box(&canceled_token).is_cancelled());
            },
        ),
        (
            "CheckCanceled.Done",
            "CheckCanceledDone",
            &|| {
                let _ = black_box(black_box(&canceled).done().try_recv());
            },
            &|| {
                black_box(black_box(&canceled_token).is_cancelled());
            },
        ),
    ];
    for &(name, shape, ours, tokio) in shapes {
        let mut g = c.benchmark_group(format!("Check/{name}"));
        quick(&mut g);
        g.bench_function("goctx", |b| b.iter(ours));
        g.bench_function("tokio-util", |b| b.iter(tokio));
        bench_go(&mut g, shape, None);
        g.finish();
    }
}

fn parallel_shapes(c: &mut Criterion) {
    // ContextCancelDone: every thread polls one live context's done.
    let mut g = c.benchmark_group("Parallel/ContextCancelDone");
    quick(&mut g);
    let (ctx, _keep) = with_cancel(&background());
    let token = CancellationToken::new();
    g.bench_function("goctx", |b| {
        b.iter_custom(|iters| {
            parallel(iters, &|n| {
                for _ in 0..n {
                    let _ = black_box(ctx.done().try_recv());
                }
            })
        })
    });
    g.bench_function("tokio-util", |b| {
        b.iter_custom(|iters| {
            parallel(iters, &|n| {
                for _ in 0..n {
                    black_box(token.is_cancelled());
                }
            })
        })
    });
    bench_go(&mut g, "ContextCancelDone", None);
    g.finish();

    // CommonParentCancel: children of one shared parent, made and canceled
    // from every thread, with a value lookup and busy work between.
    let mut g = c.benchmark_group("Parallel/CommonParentCancel");
    quick(&mut g);
    const KEY: Key<&str> = Key::new("key");
    let root = with_value(&background(), KEY, "value");
    let (shared, _keep) = with_cancel(&root);
    let shared_token = CancellationToken::new();
    let busy = |x: &mut u64| {
        for _ in 0..100 {
            *x /= black_box(*x + 1);
        }
    };
    g.bench_function("goctx", |b| {
        b.iter_custom(|iters| {
            parallel(iters, &|n| {
                let mut x = 0;
                for _ in 0..n {
                    let (ctx, cancel) = with_cancel(&shared);
                    assert_eq!(ctx.value(&KEY), Some(&"value"), "should not be reached");
                    busy(&mut x);
                    cancel.cancel();
                    busy(&mut x);
                }
                black_box(x);
            })
        })
    });
    g.bench_function("tokio-util", |b| {
        b.iter_custom(|iters| {
            parallel(iters, &|n| {
                let mut x = 0;
                for _ in 0..n {
                    let t = shared_token.child_token();
                    busy(&mut x);
                    t.cancel();
                    busy(&mut x);
                }
                black_box(x);
            })
        })
    });
    bench_go(&mut g, "CommonParentCancel", None);
    g.finish();

    // WithTimeout: ten timeouts made and canceled per operation, beside
    // `concurrency` others alive.
    let mut g = c.benchmark_group("Parallel/WithTimeout");
    quick(&mut g);
    g.sample_size(10);
    for concurrency in [40, 4000, 400_000] {
        let alive: Vec<CancelFunc> = (0..concurrency)
            .map(|_| with_timeout(&background(), Duration::from_secs(3600)).1)
            .collect();
        g.bench_with_input(
            BenchmarkId::new("goctx", concurrency),
            &concurrency,
            |b, _| {
                b.iter_custom(|iters| {
                    parallel(iters, &|n| {
                        for _ in 0..n {
                            let cancels: [CancelFunc; 10] = std::array::from_fn(|_| {
                                with_timeout(&background(), Duration::from_secs(3600)).1
                            });
                            for c in &cancels {
                                c.cancel();
                            }
                        }
                    })
                })
            },
        );
        for c in &alive {
            c.cancel();
        }
        bench_go(&mut g, "WithTimeout", Some(concurrency));
    }
    g.finish();
}

/// Go's `WithValue(ctx, i, i)`: an int key.
#[derive(PartialEq)]
struct IntKey(i64);
impl ContextKey for IntKey {
    type Value = i64;
}

fn deep_value(c: &mut Criterion) {
    let chain = |depth: i64| {
        let mut ctx = background();
        for i in 0..depth {
            ctx = with_value(&ctx, IntKey(i), i);
        }
        ctx
    };
    let mut g = c.benchmark_group("Value/DeepValueSameGoRoutine");
    quick(&mut g);
    for depth in [10, 20, 30, 50, 100] {
        let ctx = chain(depth as i64);
        g.bench_with_input(BenchmarkId::new("goctx", depth), &depth, |b, _| {
            b.iter(|| black_box(black_box(&ctx).value(&IntKey(-1))).is_none())
        });
        bench_go(&mut g, "DeepValueSameGoRoutine", Some(depth));
    }
    g.finish();

    let mut g = c.benchmark_group("Value/DeepValueNewGoRoutine");
    quick(&mut g);
    for depth in [10, 20, 30, 50, 100] {
        g.bench_with_input(BenchmarkId::new("goctx", depth), &depth, |b, &depth| {
            b.iter_custom(|iters| {
                gosched::Runtime::new()
                    .run(move || {
                        let ctx = chain(depth as i64);
                        let start = Instant::now();
                        for _ in 0..iters {
                            let wg = gosched::WaitGroup::new();
                            wg.add(1);
                            let (ctx, w) = (ctx.clone(), wg.clone());
                            gosched::go(move || {
                                black_box(ctx.value(&IntKey(-1)));
                                w.done();
                            });
                            wg.wait();
                        }
                        start.elapsed()
                    })
                    .expect("the bench runtime runs")
            })
        });
        bench_go(&mut g, "DeepValueNewGoRoutine", Some(depth));
    }
    g.finish();
}

criterion_group!(benches, cancel_tree, check, parallel_shapes, deep_value);
criterion_main!(benches);
