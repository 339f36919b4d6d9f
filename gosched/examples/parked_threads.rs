//! The OS-thread peer of `parked.rs`: N `std::thread`s (default stack size)
//! all parked on one gate; measures resident memory while they wait, then
//! releases and joins them; prints `threads=N rss_bytes_per_thread=X`.
//! `cargo xtask measure parked` draws it beside gosched's and Go's
//! goroutines.
//!
//! ```text
//! cargo run --release -p gosched --example parked_threads -- 10000
//! ```
//!
//! Each thread maps its stack and guard page and std's signal stack and
//! its guard page, so the kernel's `vm.max_map_count` (65 530 by default)
//! caps N in the tens of thousands (10 000 is safe).

use std::sync::{Arc, Condvar, Mutex};

mod common;

/// How many threads have arrived, and whether the gate is open.
#[derive(Default)]
struct Gate {
    state: Mutex<(u64, bool)>,
    changed: Condvar,
}

impl Gate {
    fn wait(&self) {
        let mut state = self.state.lock().unwrap();
        state.0 += 1;
        self.changed.notify_all();
        while !state.1 {
            state = self.changed.wait(state).unwrap();
        }
    }

    fn wait_for_arrivals(&self, n: u64) {
        let mut state = self.state.lock().unwrap();
        while state.0 < n {
            state = self.changed.wait(state).unwrap();
        }
    }

    fn open(&self) {
        self.state.lock().unwrap().1 = true;
        self.changed.notify_all();
    }
}

fn main() {
    common::init_tracing();
    let n = common::arg_or(10_000);
    let gate = Arc::new(Gate::default());
    let mut threads = Vec::with_capacity(n as usize);
    let before = common::rss();
    for _ in 0..n {
        let gate = gate.clone();
        threads.push(std::thread::spawn(move || gate.wait()));
    }
    gate.wait_for_arrivals(n);
    let after = common::rss();
    gate.open();
    for t in threads {
        t.join().unwrap();
    }
    let per = after.saturating_sub(before) as f64 / n as f64;
    println!("threads={n} rss_bytes_per_thread={per:.0}");
}
