// Copyright 2011 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//! Test helpers shared by the integration tests: an unbuffered channel
//! built on gosched's parking contract (gochan is the real one, but it
//! depends on this crate), so Go tests that hand values through
//! `make(chan T)` can be ported with Go's scheduling shape: a send to a
//! waiting receiver hands the value over and readies the receiver
//! (`runnext`), as `chansend`'s direct hand-off does. Also the body of
//! Go's `TestPingPongHog`, shared by `tests/golang.rs` and
//! `examples/pingponghog.rs`; [`child`] (scenarios whose process must die,
//! run as child processes) and [`shape`] (reports compared with Go's).

#![allow(dead_code)] // each test binary uses part of it

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gosched::{Runtime, Unparker, WaitReason, go};

pub(crate) mod child;
pub(crate) mod shape;

/// One waiting party: its value slot and how to wake it.
struct Waiter<T> {
    value: Mutex<Option<T>>,
    done: AtomicBool,
    unparker: Unparker,
}

impl<T> Waiter<T> {
    fn new(value: Option<T>) -> Arc<Waiter<T>> {
        Arc::new(Waiter {
            value: Mutex::new(value),
            done: AtomicBool::new(false),
            unparker: gosched::Unparker::current(),
        })
    }

    fn finish(&self, value: Option<T>) {
        *self.value.lock().unwrap() = value;
        self.done.store(true, Ordering::Release);
        self.unparker.unpark_by_ref();
    }

    fn wait(&self, reason: WaitReason) -> Option<T> {
        while !self.done.load(Ordering::Acquire) {
            gosched::park(reason);
        }
        self.value.lock().unwrap().take()
    }
}

struct State<T> {
    closed: bool,
    receivers: VecDeque<Arc<Waiter<T>>>,
    senders: VecDeque<Arc<Waiter<T>>>,
}

/// `make(chan T)`: every send meets a receive.
pub(crate) struct Unbuffered<T> {
    state: Arc<Mutex<State<T>>>,
}

impl<T> Clone for Unbuffered<T> {
    fn clone(&self) -> Self {
        Unbuffered {
            state: Arc::clone(&self.state),
        }
    }
}

impl<T> Default for Unbuffered<T> {
    fn default() -> Self {
        Unbuffered {
            state: Arc::new(Mutex::new(State {
                closed: false,
                receivers: VecDeque::new(),
                senders: VecDeque::new(),
            })),
        }
    }
}

impl<T> Unbuffered<T> {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// `c <- v`; false when the channel is (or gets) closed.
    pub(crate) fn send(&self, v: T) -> bool {
        let mut s = self.state.lock().unwrap();
        if s.closed {
            return false;
        }
        if let Some(r) = s.receivers.pop_front() {
            drop(s);
            r.finish(Some(v));
            return true;
        }
        let me = Waiter::new(Some(v));
        s.senders.push_back(Arc::clone(&me));
        drop(s);
        // A receiver takes the value out of our slot; close leaves it.
        me.wait(WaitReason::ChanSend).is_none()
    }

    /// `v, ok := <-c`: `None` once closed.
    pub(crate) fn recv(&self) -> Option<T> {
        let mut s = self.state.lock().unwrap();
        if let Some(sender) = s.senders.pop_front() {
            drop(s);
            let v = sender.value.lock().unwrap().take();
            sender.finish(None);
            return v;
        }
        if s.closed {
            return None;
        }
        let me = Waiter::new(None);
        s.receivers.push_back(Arc::clone(&me));
        drop(s);
        me.wait(WaitReason::ChanReceive)
    }

    /// `close(c)`: wakes every waiting party.
    pub(crate) fn close(&self) {
        let mut guard = self.state.lock().unwrap();
        let s = &mut *guard;
        s.closed = true;
        let waiting: Vec<_> = s.receivers.drain(..).chain(s.senders.drain(..)).collect();
        drop(guard);
        for w in waiting {
            // A sender's value stays in its slot (its send fails); a
            // receiver's slot is empty (it receives nothing).
            let kept = w.value.lock().unwrap().take();
            w.finish(kept);
        }
    }
}

/// Go's `TestPingPongHog` (`runtime/proc_test.go`), returning the two
/// pairs' counts: two goroutines ping-pong on an unbuffered channel
/// doing 1e6 increments per round (the hog pair) while a second pair does
/// 1e4 (the light pair). Both pairs hand the P to their buddy within a
/// time slice, so when sysmon ends a slice the other pair gets the next
/// one: the counts stay within Go's factor of 20 (Go 1.27 measures
/// 1.6-1.7 on GOMAXPROCS=1; `benches/go/pingponghog` prints it). A
/// scheduler that hands the preempted pair's next goroutine straight back
/// from the global queue starves the light pair by a factor of ~1e5.
pub(crate) fn ping_pong_hog(procs: usize) -> (u64, u64) {
    // Go's rounds: 1e4 increments for the light pair, 100 times that for
    // the hog pair, which in Go takes well under its 10 ms time slice. An
    // unoptimised build counts ~20 times slower: its hog round would
    // outlast the slice, and preemption here can only end a slice between
    // rounds, so it counts 20 times fewer to keep Go's proportions.
    const LIGHT_ROUND: u64 = if cfg!(debug_assertions) { 500 } else { 10_000 };
    Runtime::new()
        .gomaxprocs(procs)
        .run(|| {
            let done = Arc::new(AtomicBool::new(false));
            let hog_chan: Unbuffered<bool> = Unbuffered::new();
            let light_chan: Unbuffered<bool> = Unbuffered::new();
            let hog_count = Arc::new(AtomicU64::new(0));
            let light_count = Arc::new(AtomicU64::new(0));

            let run = |limit: u64, counter: Arc<AtomicU64>, wake: Unbuffered<bool>| {
                let done = done.clone();
                move || {
                    // `select { case <-done: return; case <-wake: ... }`:
                    // closing `wake` stands in for closing `done`.
                    while wake.recv().is_some() && !done.load(Ordering::Acquire) {
                        let mut n = 0u64;
                        for _ in 0..limit {
                            n = std::hint::black_box(n + 1);
                        }
                        counter.fetch_add(n, Ordering::Relaxed);
                        wake.send(true);
                    }
                }
            };

            // Start two co-scheduled hog goroutines.
            for _ in 0..2 {
                go(run(100 * LIGHT_ROUND, hog_count.clone(), hog_chan.clone()));
            }
            // Start two co-scheduled light goroutines.
            for _ in 0..2 {
                go(run(LIGHT_ROUND, light_count.clone(), light_chan.clone()));
            }

            // Start goroutine pairs and wait for a few preemption rounds.
            hog_chan.send(true);
            light_chan.send(true);
            gosched::time::sleep(Duration::from_millis(100));
            done.store(true, Ordering::Release);
            let counts = (
                hog_count.load(Ordering::Relaxed),
                light_count.load(Ordering::Relaxed),
            );
            hog_chan.close();
            light_chan.close();
            counts
        })
        .unwrap()
}

/// Kills the test process if a scenario hangs (a starvation or lost
/// wake-up bug would): what hung goes to stderr, then `abort`. Store
/// `true` in the returned flag when the scenario is done.
pub(crate) fn watchdog(what: &'static str, limit: std::time::Duration) -> Arc<AtomicBool> {
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    std::thread::spawn(move || {
        let t = std::time::Instant::now();
        while !d.load(Ordering::Acquire) {
            if t.elapsed() > limit {
                eprintln!("watchdog: {what} did not finish within {limit:?}");
                std::process::abort();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    done
}
