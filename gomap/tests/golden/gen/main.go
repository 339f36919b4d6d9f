// Command gen prints golden data of Go's classic map (runtime.hmap, Go ≤ 1.23).
//
// It reads the map header through unsafe, using a copy of runtime.hmap from
// Go 1.19's runtime/map.go (identical in 1.21 and 1.23).
//
// Usage:
//
//	go run . make        > go1.NN_make_hint.txt    # rows "hint B" for make(map[int64]int64, hint), hint 0..2000
//	go run . inserts     > go1.NN_inserts.txt      # rows "count B": first insert and every insert after which B changed
//	go run . steps-incr  > go1.NN_steps_incr.txt   # see steps.go
//	go run . steps-clear > go1.NN_steps_clear.txt  # see steps.go
//
// Go 1.24+ maps are swiss tables; this program refuses to run there.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// hmap mirrors runtime.hmap (Go 1.19 runtime/map.go).
type hmap struct {
	count      int
	flags      uint8
	B          uint8
	noverflow  uint16
	hash0      uint32
	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr
	extra      unsafe.Pointer
}

// sink keeps every map on the heap (a non-escaping map may live on the stack).
var sink map[int64]int64

func header(m map[int64]int64) *hmap {
	return *(**hmap)(unsafe.Pointer(&m))
}

var out = bufio.NewWriter(os.Stdout)

func checkVersion() {
	v := runtime.Version()
	minor := -1
	if strings.HasPrefix(v, "go1.") {
		rest := strings.TrimPrefix(v, "go1.")
		if i := strings.IndexAny(rest, ".rcbeta"); i >= 0 {
			rest = rest[:i]
		}
		if n, err := strconv.Atoi(rest); err == nil {
			minor = n
		}
	}
	if minor < 0 || minor >= 24 {
		fmt.Fprintf(os.Stderr, "%s: the classic hmap exists only up to Go 1.23\n", v)
		os.Exit(1)
	}
}

func makeHint() {
	fmt.Fprintln(out, "# rows: hint B  (B of make(map[int64]int64, hint), read from runtime.hmap)")
	for hint := 0; hint <= 2000; hint++ {
		m := make(map[int64]int64, hint)
		sink = m
		h := header(m)
		if h.count != 0 {
			fmt.Fprintln(os.Stderr, "layout check failed: count of an empty map is", h.count)
			os.Exit(1)
		}
		fmt.Fprintf(out, "%d %d\n", hint, h.B)
	}
}

func inserts() {
	fmt.Fprintln(out, "# rows: count B  (after inserting distinct int64 keys 0..99999 into make(map[int64]int64);")
	fmt.Fprintln(out, "#        the first insert, then every insert after which B changed; count = len(m))")
	m := make(map[int64]int64)
	sink = m
	h := header(m)
	last := -1
	for k := int64(0); k < 100000; k++ {
		m[k] = k
		if h.count != len(m) {
			fmt.Fprintln(os.Stderr, "layout check failed: hmap.count", h.count, "len", len(m))
			os.Exit(1)
		}
		if int(h.B) != last {
			fmt.Fprintf(out, "%d %d\n", len(m), h.B)
			last = int(h.B)
		}
	}
}

func main() {
	modes := map[string]func(){
		"make":        makeHint,
		"inserts":     inserts,
		"steps-incr":  stepsIncr,
		"steps-clear": stepsClear,
	}
	mode, ok := (func())(nil), false
	if len(os.Args) == 2 {
		mode, ok = modes[os.Args[1]]
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "usage: gen make|inserts|steps-incr|steps-clear")
		os.Exit(2)
	}
	checkVersion()
	fmt.Fprintf(out, "# go version: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(out, "# generator: gomap/tests/golden/gen", os.Args[1])
	mode()
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
