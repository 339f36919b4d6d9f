//! Large values through channels: Go's limit is 65 535 bytes an element,
//! moved by pointer. A goroutine sends COUNT values of SIZE bytes to the
//! main goroutine along one PATH; every value is checked on arrival.
//!
//! `cargo run --release -p gochan --example large_values -- [PATH] [SIZE] [COUNT]`
//! prints `path=P bytes=S values=N ns_per_value=X` for each PATH (`unbuffered`,
//! `buffered` (capacity 4), `select_send`, `select_recv`; default: all) and
//! SIZE (8, 4096, 16384, 65535; default: all). Honours `GOMAXPROCS` and
//! `RUST_LOG`.
//!
//! Run one path under gdb to count the copies of a value (the README's
//! "Large values" section): every copy of a 65 535-byte value is one
//! `memcpy` of 65 535 bytes.

use std::time::Instant;

use gochan::{Chan, make, select};
use tracing_subscriber::EnvFilter;

/// A value of `N` bytes, all equal to its sequence number (mod 256).
struct Value<const N: usize>([u8; N]);

impl<const N: usize> Value<N> {
    fn new(seq: usize) -> Value<N> {
        Value([seq as u8; N])
    }

    fn check(got: Option<&Value<N>>, seq: usize) {
        let got = got.expect("the channel stays open");
        assert!(
            got.0.iter().all(|&b| b == seq as u8),
            "value {seq} corrupted"
        );
    }
}

const PATHS: [&str; 4] = ["unbuffered", "buffered", "select_send", "select_recv"];
const SIZES: [usize; 4] = [8, 4096, 16_384, 65_535];

/// Sends `count` values of `N` bytes along `path`; nanoseconds a value.
fn run<const N: usize>(path: &'static str, count: usize) -> f64 {
    let ch: Chan<Value<N>> = make(if path == "buffered" { 4 } else { 0 });
    let never: Chan<()> = make(0);
    let (tx, n) = (ch.clone(), never.clone());
    let start = Instant::now();
    gosched::go(move || {
        for seq in 0..count {
            if path == "select_send" {
                select! {
                    send(tx, Value::new(seq)) => {},
                    recv(n) -> _ => unreachable!(),
                }
            } else {
                tx.send(Value::new(seq));
            }
        }
    });
    for seq in 0..count {
        if path == "select_recv" {
            select! {
                recv(ch) -> got => Value::check(got.as_ref(), seq),
                recv(never) -> _ => unreachable!(),
            }
        } else {
            Value::check(ch.recv().as_ref(), seq);
        }
    }
    start.elapsed().as_nanos() as f64 / count as f64
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let paths: Vec<&'static str> = match args.first().map(String::as_str) {
        None | Some("all") => PATHS.to_vec(),
        Some(p) => vec![
            *PATHS
                .iter()
                .find(|&&known| known == p)
                .unwrap_or_else(|| panic!("PATH: one of {PATHS:?} or `all`")),
        ],
    };
    let sizes: Vec<usize> = match args.get(1).map(String::as_str) {
        None | Some("all") => SIZES.to_vec(),
        Some(s) => vec![s.parse().expect("SIZE: a number")],
    };
    let count: usize = args
        .get(2)
        .map_or(10_000, |c| c.parse().expect("COUNT: a number"));
    gosched::Runtime::new().run_or_exit(move || {
        for &path in &paths {
            for &size in &sizes {
                let ns = match size {
                    8 => run::<8>(path, count),
                    4096 => run::<4096>(path, count),
                    16_384 => run::<16_384>(path, count),
                    65_535 => run::<65_535>(path, count),
                    _ => panic!("SIZE: one of {SIZES:?}"),
                };
                println!("path={path} bytes={size} values={count} ns_per_value={ns:.0}");
            }
        }
    });
}
