//! Go's `TestAllocs` (`src/context/x_test.go`, Go 1.27): what the common
//! operations allocate, on average over 100 runs, must stay within Go's
//! limits. Allocations are counted process-wide (Go's `AllocsPerRun` reads
//! `runtime.MemStats.Mallocs`), so this binary holds this one test, which
//! runs the cases on the test's thread and then on a goroutine.
//!
//! Copyright 2016 The Go Authors. All rights reserved. Use of this source
//! code is governed by a BSD-style license that can be found in Go's
//! LICENSE file (reproduced in full in `tests/golang.rs`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use goctx::{Key, background, with_cancel, with_timeout, with_value};

/// The system allocator, counting allocations.
struct Counting;

static MALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call forwards to `System` with the caller's arguments, so
// `System`'s guarantees are ours; the counter has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        MALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        MALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        MALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Go's `testing.AllocsPerRun`: average allocations of `f` over `runs`,
/// after one warm-up call.
fn allocs_per_run(runs: u64, mut f: impl FnMut()) -> f64 {
    f();
    let before = MALLOCS.load(Ordering::SeqCst);
    for _ in 0..runs {
        f();
    }
    (MALLOCS.load(Ordering::SeqCst) - before) as f64 / runs as f64
}

const K1: Key<Option<&str>> = Key::new("k1");

/// A case: what it does, Go's limit (`limit`, not `gccgoLimit`), the code.
type Case = (&'static str, f64, Box<dyn FnMut()>);

fn cases() -> Vec<Case> {
    let bg = background();
    vec![
        (
            "Background()",
            0.0,
            Box::new(|| drop(black_box(background()))),
        ),
        (
            "WithValue(bg, k1, nil)",
            3.0,
            Box::new({
                let bg = bg.clone();
                move || {
                    let c = with_value(&bg, K1, None);
                    black_box(c.value(&K1));
                }
            }),
        ),
        (
            "WithTimeout(bg, 1*time.Nanosecond)",
            12.0,
            Box::new({
                let bg = bg.clone();
                move || {
                    let (c, _) = with_timeout(&bg, Duration::from_nanos(1));
                    c.done().recv();
                }
            }),
        ),
        (
            "WithCancel(bg)",
            5.0,
            Box::new({
                let bg = bg.clone();
                move || {
                    let (c, cancel) = with_cancel(&bg);
                    cancel.cancel();
                    c.done().recv();
                }
            }),
        ),
        (
            "WithTimeout(bg, 5*time.Millisecond)",
            8.0,
            Box::new(move || {
                let (c, cancel) = with_timeout(&bg, Duration::from_millis(5));
                cancel.cancel();
                c.done().recv();
            }),
        ),
    ]
}

fn check_all(on: &str) -> Vec<String> {
    let mut failures = Vec::new();
    for (desc, limit, f) in cases() {
        let n = allocs_per_run(100, f);
        println!("{on}: {desc}: {n} allocs (Go's limit {limit})");
        if n > limit {
            failures.push(format!("{on}: {desc} allocs = {n} want {limit}"));
        }
    }
    failures
}

#[test]
fn test_allocs() {
    let mut failures = check_all("thread");
    failures.extend(
        gosched::Runtime::new()
            .gomaxprocs(1)
            .run(|| check_all("goroutine"))
            .expect("runtime runs"),
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
