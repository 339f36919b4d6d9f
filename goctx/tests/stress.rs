//! Stress: a random tree of 10 000 contexts (cancellable ones, deadlines a
//! minute away, values in between) canceled from many goroutines and OS
//! threads at once, every context's cancel function called twice, while a
//! goroutine waits on every context's `done()`.
//!
//! Afterwards: every `done()` is closed and woke its waiter once; every
//! context's `after_func` ran exactly once (its cancellation happened
//! exactly once); every context reports `Canceled`; no child is linked
//! under any parent and no deadline timer is armed.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use gochan::select;
use goctx::introspect::{linked_children, timer_armed};
use goctx::{
    CancelFunc, Context, Error, Key, after_func, background, with_cancel, with_timeout, with_value,
};
use gosched::{Runtime, WaitGroup, go};

const CONTEXTS: usize = 10_000;
const CANCEL_GOROUTINES: usize = 8;
const CANCEL_THREADS: usize = 4;

/// A deterministic xorshift stream.
struct Rand(u64);

impl Rand {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const DEPTH: Key<usize> = Key::new("depth");

/// The tree: `(context, its cancel function)`, parents before children.
fn build_tree(rng: &mut Rand) -> Vec<(Context, CancelFunc)> {
    let (root, cancel) = with_cancel(&background());
    let mut nodes = vec![(root, cancel)];
    while nodes.len() < CONTEXTS {
        // Mostly near the end, so the tree is deep as well as wide.
        let i = if rng.below(2) == 0 {
            nodes.len() - 1 - rng.below(nodes.len().min(16))
        } else {
            rng.below(nodes.len())
        };
        let mut parent = nodes[i].0.clone();
        if rng.below(4) == 0 {
            parent = with_value(&parent, DEPTH, nodes.len());
        }
        let child = if rng.below(3) == 0 {
            with_timeout(&parent, Duration::from_secs(60))
        } else {
            with_cancel(&parent)
        };
        nodes.push(child);
    }
    nodes
}

fn cancel_everything_at_once(seed: u64) {
    let mut rng = Rand(seed);
    let nodes = build_tree(&mut rng);
    let contexts: Vec<Context> = nodes.iter().map(|(c, _)| c.clone()).collect();

    // Every cancellation runs its context's after_func once.
    let fired: Arc<Vec<AtomicU32>> = Arc::new((0..CONTEXTS).map(|_| AtomicU32::new(0)).collect());
    let stops: Vec<_> = contexts
        .iter()
        .enumerate()
        .map(|(i, ctx)| {
            let fired = Arc::clone(&fired);
            after_func(ctx, move || {
                fired[i].fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();

    // A goroutine waits on every done channel.
    let woken = Arc::new(AtomicUsize::new(0));
    let waiters = WaitGroup::new();
    for ctx in &contexts {
        let (ctx, woken, wg) = (ctx.clone(), Arc::clone(&woken), waiters.clone());
        wg.add(1);
        go(move || {
            select! {
                recv(ctx.done()) -> v => assert_eq!(v, None, "done channels are only closed"),
            }
            assert_eq!(ctx.err(), Some(Error::Canceled));
            woken.fetch_add(1, Ordering::SeqCst);
            wg.done();
        });
    }

    // Every cancel function twice, in random order, split among goroutines
    // and threads that all start together.
    let mut order: Vec<usize> = (0..CONTEXTS).chain(0..CONTEXTS).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let parties = CANCEL_GOROUTINES + CANCEL_THREADS;
    let cancels: Vec<CancelFunc> = nodes.iter().map(|(_, c)| c.clone()).collect();
    let shares: Vec<Vec<CancelFunc>> = (0..parties)
        .map(|p| {
            order
                .iter()
                .skip(p)
                .step_by(parties)
                .map(|&i| cancels[i].clone())
                .collect()
        })
        .collect();
    let start = Arc::new(Barrier::new(CANCEL_THREADS + 1));
    let cancellers = WaitGroup::new();
    let mut threads = Vec::new();
    for (p, share) in shares.into_iter().enumerate() {
        cancellers.add(1);
        let wg = cancellers.clone();
        if p < CANCEL_GOROUTINES {
            go(move || {
                for cancel in share {
                    cancel.cancel();
                }
                wg.done();
            });
        } else {
            let start = Arc::clone(&start);
            threads.push(std::thread::spawn(move || {
                start.wait();
                for cancel in share {
                    cancel.cancel();
                }
                wg.done();
            }));
        }
    }
    start.wait();
    cancellers.wait();
    waiters.wait();
    for t in threads {
        t.join().expect("a cancelling thread panicked");
    }

    assert_eq!(woken.load(Ordering::SeqCst), CONTEXTS);
    // after_func goroutines may still be starting: wait for them.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while fired.iter().any(|f| f.load(Ordering::SeqCst) == 0)
        && std::time::Instant::now() < deadline
    {
        gosched::time::sleep(Duration::from_millis(1));
    }
    for (i, ctx) in contexts.iter().enumerate() {
        assert_eq!(
            fired[i].load(Ordering::SeqCst),
            1,
            "after_func of context {i}"
        );
        assert_eq!(
            ctx.done().try_recv(),
            Err(gochan::TryRecvError::Closed),
            "done of context {i}"
        );
        assert_eq!(ctx.err(), Some(Error::Canceled), "context {i}");
        assert_eq!(
            linked_children(ctx),
            Some(0),
            "children left under context {i}"
        );
        assert!(!timer_armed(ctx), "timer left armed on context {i}");
        assert!(
            !stops[i].stop(),
            "after_func of context {i} was still registered"
        );
    }
}

#[test]
fn tree_of_10000_canceled_from_goroutines_and_threads() {
    Runtime::new()
        .deadlock_detection(None)
        .run(|| cancel_everything_at_once(0x9e37_79b9_7f4a_7c15))
        .expect("no goroutine panics");
}

#[test]
fn tree_of_10000_canceled_from_its_root() {
    Runtime::new()
        .run(|| {
            let mut rng = Rand(0x2545_f491_4f6c_dd1d);
            let nodes = build_tree(&mut rng);
            let dones: Vec<_> = nodes.iter().map(|(c, _)| c.done().clone()).collect();
            nodes[0].1.cancel();
            for (i, (ctx, _)) in nodes.iter().enumerate() {
                assert_eq!(dones[i].recv(), None);
                assert_eq!(ctx.err(), Some(Error::Canceled));
                assert_eq!(linked_children(ctx), Some(0));
                assert!(!timer_armed(ctx));
            }
        })
        .expect("no goroutine panics");
}
