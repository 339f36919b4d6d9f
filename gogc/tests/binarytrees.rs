//! The binary-trees example prints the Benchmarks Game's lines exactly as
//! its Go twin does (`benches/go/binarytrees.go`, output at depth 10 in
//! `binarytrees-10.golden`), on every heap it runs on.

// gc-arena, one of those heaps, is no dependency of a loom build.
#![cfg(not(loom))]

#[path = "../examples/binarytrees/trees.rs"]
#[allow(dead_code, unreachable_pub)]
mod trees;

use gogc::Settings;

const GOLDEN: &str = include_str!("../benches/go/binarytrees-10.golden");

fn lines(trees: &mut impl trees::Trees) -> String {
    let mut out = String::new();
    trees::run(trees, 10, |line| {
        out.push_str(&line.to_string());
        out.push('\n');
    });
    out
}

#[test]
fn gogc_prints_what_go_prints() {
    for procs in [1, 2] {
        let settings = Settings {
            procs,
            ..Settings::default()
        };
        assert_eq!(
            lines(&mut trees::OnGogc::new(settings)),
            GOLDEN,
            "procs {procs}"
        );
    }
}

#[test]
fn the_peers_print_it_too() {
    assert_eq!(lines(&mut trees::OnBox::default()), GOLDEN);
    assert_eq!(lines(&mut trees::arena::new()), GOLDEN);
}
