//! Chapter 4 (Context) of the notes, program by program: passing a
//! `traceId` down a call chain, stopping a worker by a timeout and by a
//! cancel, and the `gen` generator that leaks a goroutine, then the fixed
//! `gen` that does not, each leak shown by gosched's leak report.
//! `tests/seed.rs` runs the same code and compares what it prints.
//!
//! ```text
//! RUST_LOG=goctx=debug cargo run -p goctx --example chapter4
//! ```
//! also shows each cancellation as a `tracing` event on stderr.

use std::fmt::Write;
use std::time::{Duration, Instant};

use gochan::{Chan, RecvChan, after, make, select};
use goctx::{Context, Error, Key, background, with_cancel, with_timeout, with_value};
use gosched::leak::{LeakReport, find};
use gosched::{GStatus, Runtime, WaitReason, go};

// --- 传递共享数据: passing shared data ---------------------------------------

/// The notes' key: `"traceId"`, whose values are strings.
const TRACE_ID: Key<String> = Key::new("traceId");

/// The notes' `process`: reads the trace id if the context carries one.
fn process(ctx: &Context, out: &mut String) {
    match ctx.value(&TRACE_ID) {
        Some(trace_id) => writeln!(out, "process over. trace_id={trace_id}").unwrap(),
        None => writeln!(out, "process over. no trace_id").unwrap(),
    }
}

/// The notes' `main`: once without, once with a trace id.
pub(crate) fn trace_id(out: &mut String) {
    let ctx = background();
    process(&ctx, out);

    let ctx = with_value(&ctx, TRACE_ID, "qcrao-2019".to_string());
    process(&ctx, out);
}

// --- 取消 goroutine: canceling a goroutine -----------------------------------

/// The notes' `Perform`: calculate a position and send it, then wait a
/// `tick` (the notes: a second), until the context is done. Returns why it
/// stopped.
fn perform(ctx: &Context, results: &Chan<u32>, tick: Duration) -> Error {
    let mut pos = 0;
    loop {
        pos += 1; // calculatePos()
        // sendResult(), given up if nobody takes it before the context ends.
        select! {
            send(results, pos) => {},
            recv(ctx.done()) -> _ => return ctx.err().expect("done, so Err is set"),
        }
        select! {
            // 被取消，直接返回: canceled, return at once
            recv(ctx.done()) -> _ => return ctx.err().expect("done, so Err is set"),
            // block 1 秒钟: wait a tick
            recv(after(tick)) -> _ => {},
        }
    }
}

/// Starts `perform` in a goroutine; the returned channel says why it
/// stopped.
fn go_perform(ctx: &Context, results: &Chan<u32>, tick: Duration) -> RecvChan<Error> {
    let stopped = make::<Error>(1);
    let (ctx, results, s) = (ctx.clone(), results.clone(), stopped.clone());
    go(move || s.send(perform(&ctx, &results, tick)));
    stopped.recv_only()
}

/// The notes' `main`: a one-hour timeout, canceled by the app after three
/// results; then the same worker stopped by a timeout of a few ticks.
pub(crate) fn worker(tick: Duration, out: &mut String) {
    let lines = Runtime::new()
        .run(move || {
            let mut out = String::new();
            let (ctx, cancel) = with_timeout(&background(), Duration::from_secs(3600));
            let results = make::<u32>(0);
            let stopped = go_perform(&ctx, &results, tick);
            for _ in 0..3 {
                let pos = results.recv().expect("Perform sends");
                writeln!(out, "sendResult: pos={pos}").unwrap();
            }
            // …… app 端返回页面，调用 cancel 函数: the app returned the page
            writeln!(out, "app returned the page: cancel()").unwrap();
            cancel.cancel();
            let why = stopped.recv().expect("Perform reports");
            writeln!(out, "Perform returned: {why}").unwrap();

            let (ctx, _cancel) = with_timeout(&background(), tick * 7 / 2);
            let stopped = go_perform(&ctx, &results, tick);
            let why = loop {
                select! {
                    recv(results) -> _ => {},
                    recv(stopped) -> why => break why.expect("Perform reports"),
                }
            };
            writeln!(out, "Perform timed out: {why}").unwrap();
            out
        })
        .expect("the worker's goroutines do not panic");
    out.push_str(&lines);
}

// --- 防止 goroutine 泄漏: preventing goroutine leaks --------------------------

/// The notes' first `gen`: its goroutine sends forever, whether anyone
/// still receives or not.
fn gen_leaky(tick: Duration) -> RecvChan<u32> {
    let ch = make::<u32>(0);
    let tx = ch.clone();
    go(move || {
        let mut n = 0;
        loop {
            tx.send(n);
            n += 1;
            gosched::time::sleep(tick);
        }
    });
    ch.recv_only()
}

/// The notes' fixed `gen`: its goroutine returns once `ctx` is done.
fn gen_fixed(ctx: &Context, tick: Duration) -> RecvChan<u32> {
    let ch = make::<u32>(0);
    let (tx, ctx) = (ch.clone(), ctx.clone());
    go(move || {
        let mut n = 0;
        loop {
            select! {
                recv(ctx.done()) -> _ => return,
                send(tx, n) => {
                    n += 1;
                    gosched::time::sleep(tick);
                },
            }
        }
    });
    ch.recv_only()
}

/// What gosched's leak report says once `main` is finished: the
/// goroutines still alive after a grace of a few ticks, once none of them
/// is still running or sleeping towards its next step (so a slow machine
/// reports the same blocked goroutine as a fast one).
fn leak_report(tick: Duration) -> String {
    let give_up = Instant::now() + Duration::from_secs(10);
    loop {
        let goroutines = match find(tick * 3, &[]) {
            Ok(()) => return "no goroutine leaked\n".to_string(),
            Err(LeakReport { goroutines }) => goroutines,
        };
        let settled = goroutines
            .iter()
            .all(|g| g.status == GStatus::Waiting && g.wait_reason != Some(WaitReason::Sleep));
        if settled || Instant::now() >= give_up {
            return goroutines
                .iter()
                .map(|g| match g.wait_reason {
                    Some(reason) => format!("goroutine leaked: goroutine {} [{reason}]\n", g.id),
                    None => format!("goroutine leaked: goroutine {} [{}]\n", g.id, g.status),
                })
                .collect();
        }
    }
}

/// The notes' two `main`s: `for n := range gen()` up to 5, then the leak
/// report; first with the leaky `gen`, then with the fixed one and
/// `defer cancel()`.
pub(crate) fn generator(tick: Duration, out: &mut String) {
    let lines = Runtime::new()
        .deadlock_detection(None)
        .run(move || {
            let mut out = String::new();
            for n in &gen_leaky(tick) {
                writeln!(out, "{n}").unwrap();
                if n == 5 {
                    break;
                }
            }
            out.push_str(&leak_report(tick));
            out
        })
        .expect("the leaky gen's goroutines do not panic");
    out.push_str(&lines);

    let lines = Runtime::new()
        .run(move || {
            let mut out = String::new();
            let (ctx, cancel) = with_cancel(&background());
            // 避免其他地方忘记 cancel，且重复调用不影响: defer cancel()
            let _cancel = cancel.clone().drop_guard();
            for n in &gen_fixed(&ctx, tick) {
                writeln!(out, "{n}").unwrap();
                if n == 5 {
                    cancel.cancel();
                    break;
                }
            }
            out.push_str(&leak_report(tick));
            out
        })
        .expect("the fixed gen's goroutines do not panic");
    out.push_str(&lines);
}

#[allow(dead_code)] // `tests/seed.rs` includes this file for its functions
fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    // The notes wait a second; nothing printed depends on the length.
    let tick = Duration::from_millis(100);
    let mut out = String::new();
    out.push_str("== 传递共享数据 (traceId)\n");
    trace_id(&mut out);
    out.push_str("== 取消 goroutine (Perform)\n");
    worker(tick, &mut out);
    out.push_str("== 防止 goroutine 泄漏 (gen)\n");
    generator(tick, &mut out);
    print!("{out}");
}
