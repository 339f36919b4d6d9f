//! N goroutines alive at once, all parked on one gate (a channel's
//! receive queue: a list of waiters), then released together (the channel
//! closed): Go's classic "a million goroutines" demonstration. Prints
//! `goroutines=N spawn_park_ms=X release_ms=Y rss_bytes_per_goroutine=Z`.
//! Same program in Go: `benches/go/alive/main.go`.
//!
//! ```text
//! cargo run --release -p gosched --example alive -- 1000000
//! ```

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use gosched::{Unparker, WaitGroup, WaitReason};

mod common;

/// What `<-gate` and `close(gate)` do on an unbuffered channel nobody
/// sends on: receivers queue and park; close readies them all.
struct Gate {
    closed: AtomicBool,
    receivers: Mutex<Vec<Unparker>>,
}

impl Gate {
    fn recv(&self) {
        {
            let mut q = self.receivers.lock().unwrap();
            if self.closed.load(Ordering::Acquire) {
                return;
            }
            q.push(Unparker::current());
        }
        while !self.closed.load(Ordering::Acquire) {
            gosched::park(WaitReason::ChanReceive);
        }
    }

    fn close(&self) {
        let q = {
            let mut q = self.receivers.lock().unwrap();
            self.closed.store(true, Ordering::Release);
            std::mem::take(&mut *q)
        };
        for u in q {
            u.unpark();
        }
    }
}

fn main() {
    common::init_tracing();
    let n = common::arg_or(1_000_000);
    let (spawn_park, release, per) = gosched::Runtime::new().run_or_exit(move || {
        // Go's closure captures pointers to `gate`, `parked` and `done`;
        // so do these, to values that live as long as the program (as
        // Go's do until the collector sees them unused). Cloning an `Arc`
        // per goroutine instead adds three increments at spawn and three
        // decrements at exit, on lines both Ms fight over, that Go's
        // program does not have.
        let gate: &'static Gate = Box::leak(Box::new(Gate {
            closed: AtomicBool::new(false),
            receivers: Mutex::new(Vec::new()),
        }));
        let parked: &'static WaitGroup = Box::leak(Box::new(WaitGroup::new()));
        let done: &'static WaitGroup = Box::leak(Box::new(WaitGroup::new()));
        let before = common::rss();
        let t = Instant::now();
        parked.add(n as i64);
        done.add(n as i64);
        for _ in 0..n {
            gosched::go(move || {
                parked.done();
                gate.recv();
                done.done();
            });
        }
        parked.wait();
        let spawn_park = t.elapsed();
        let after = common::rss();
        let t = Instant::now();
        gate.close();
        done.wait();
        (
            spawn_park,
            t.elapsed(),
            after.saturating_sub(before) as f64 / n as f64,
        )
    });
    println!(
        "goroutines={n} spawn_park_ms={} release_ms={} rss_bytes_per_goroutine={per:.0}",
        spawn_park.as_millis(),
        release.as_millis()
    );
}
