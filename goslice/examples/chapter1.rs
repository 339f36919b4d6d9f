//! Chapter 1 (数组与切片) of the notes, program by program, printing exactly
//! what the notes print. `tests/seed.rs` runs the same code and compares.
//!
//! ```text
//! RUST_LOG=goslice=debug cargo run -p goslice --example chapter1
//! ```
//! shows each regrowth as a `tracing` event on stderr.

use std::fmt::Write;

use goslice::{Slice, slice};

/// 引申2: three slices over one array; the second append moves `s2` away.
pub(crate) fn aliasing(out: &mut String) {
    let slice = slice![0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let s1 = slice.slice(2..5);
    let mut s2 = s1.slice3(2, 6, 7);

    s2 = s2.append(100);
    s2 = s2.append(200);

    s1.set(2, 20);

    writeln!(out, "{s1}").unwrap();
    writeln!(out, "{s2}").unwrap();
    writeln!(out, "{slice}").unwrap();
}

/// 1.1: `append(s, 4, 5, 6)` on `[]int{1, 2}` rounds cap 5 up to 6.
pub(crate) fn growth(out: &mut String) {
    let s = slice![1, 2];
    let s = s.append_all(&[4, 5, 6]);
    write!(out, "len={}, cap={}", s.len(), s.cap()).unwrap();
}

/// 1.2: a function that receives a slice writes the caller's array.
pub(crate) fn pass_by_value(out: &mut String) {
    fn f(s: Slice<i64>) {
        for i in 0..s.len() {
            s.set(i, s.get(i) + 1);
        }
    }
    let s = slice![1, 1, 1];
    f(s.clone());
    writeln!(out, "{s}").unwrap();
}

/// 1.2: `myAppend` returns a new header; `myAppendPtr` replaces the caller's.
/// `%p` lines go to `addrs`, since addresses differ from run to run.
pub(crate) fn my_append(out: &mut String, addrs: &mut Vec<String>) {
    fn my_append(s: Slice<i64>, addrs: &mut Vec<String>) -> Slice<i64> {
        addrs.push(s.addr().to_string());
        let s = s.append(100);
        addrs.push(s.addr().to_string());
        s
    }
    fn my_append_ptr(s: &mut Slice<i64>) {
        *s = s.append(100);
    }

    let mut s = slice![1, 1, 1];
    addrs.push(s.addr().to_string());
    let new_s = my_append(s.clone(), addrs);

    writeln!(out, "{s}").unwrap();
    writeln!(out, "{new_s}").unwrap();

    s = new_s;

    my_append_ptr(&mut s);
    writeln!(out, "{s}").unwrap();
}

#[allow(
    dead_code,
    reason = "tests/seed.rs includes this file for the programs, not for main"
)]
fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();

    let mut out = String::new();
    aliasing(&mut out);
    growth(&mut out);
    out.push('\n');
    pass_by_value(&mut out);
    let mut addrs = Vec::new();
    my_append(&mut out, &mut addrs);
    print!("{out}");
    println!(
        "%p: s={} myAppend before={} after={}",
        addrs[0], addrs[1], addrs[2]
    );
}
