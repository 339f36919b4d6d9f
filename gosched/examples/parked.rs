//! N goroutines all parked on one gate; measures resident memory while they
//! wait, then releases them; prints `goroutines=N rss_bytes_per_goroutine=X`.
//! Same program in Go: `benches/go/parked/main.go`.
//!
//! ```text
//! cargo run --release -p gosched --example parked -- 100000
//! ```

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use gosched::{Unparker, WaitGroup, WaitReason};

mod common;

/// A gate: goroutines park until it opens.
struct Gate {
    open: AtomicBool,
    waiters: Mutex<Vec<Unparker>>,
}

impl Gate {
    fn wait(&self) {
        {
            let mut w = self.waiters.lock().unwrap();
            if self.open.load(Ordering::Acquire) {
                return;
            }
            w.push(gosched::Unparker::current());
        }
        while !self.open.load(Ordering::Acquire) {
            gosched::park(WaitReason::Other("gate"));
        }
    }
    fn open(&self) {
        self.open.store(true, Ordering::Release);
        for u in std::mem::take(&mut *self.waiters.lock().unwrap()) {
            u.unpark();
        }
    }
}

fn main() {
    common::init_tracing();
    let n = common::arg_or(100_000);
    let per = gosched::Runtime::new().run_or_exit(move || {
        let gate = Arc::new(Gate {
            open: AtomicBool::new(false),
            waiters: Mutex::new(Vec::with_capacity(n as usize)),
        });
        let parked = WaitGroup::new();
        let done = WaitGroup::new();
        let before = common::rss();
        parked.add(n as i64);
        done.add(n as i64);
        for _ in 0..n {
            let (gate, parked, done) = (gate.clone(), parked.clone(), done.clone());
            gosched::go(move || {
                parked.done();
                gate.wait();
                done.done();
            });
        }
        parked.wait();
        // Let the last ones reach the gate.
        while gate.waiters.lock().unwrap().len() < n as usize {
            gosched::yield_now();
        }
        let after = common::rss();
        gate.open();
        done.wait();
        after.saturating_sub(before) as f64 / n as f64
    });
    println!("goroutines={n} rss_bytes_per_goroutine={per:.0}");
}
