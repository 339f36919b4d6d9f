// Command addr prints where Go's slicing leaves a slice's data pointer, for
// goslice's Slice::addr (what fmt's %p shows).
//
//	go run . > ../addr_go1.NN.txt
//
// Rows: BASE EXPR LEN CAP OFFSET, where OFFSET is the result's data pointer
// minus BASE's, in bytes (nil for a nil pointer). The bases are
// s := []int64{1, 2, 3}, t := s[1:], e := []int64{} (zerobase), a nil
// []int64 n, z := make([]struct{}, 3) and big := make([]struct{}, 1<<40)
// (zero-size elements, appended to as well). A result
// with capacity 0 keeps the old pointer: the compiler computes
// ptr + (mask(cap) & (lo * elemsize)) (cmd/compile/internal/ssagen/ssa.go:
// slice), so a slice never points past the end of its array.
package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"unsafe"
)

// sink keeps every backing array on the heap.
var sink []interface{}

func data(p unsafe.Pointer) uintptr {
	return (*reflect.SliceHeader)(p).Data
}

func row[T any](base string, b []T, expr string, x []T) {
	sink = append(sink, b, x)
	off := "nil"
	if d := data(unsafe.Pointer(&x)); d != 0 {
		off = fmt.Sprint(int64(d) - int64(data(unsafe.Pointer(&b))))
	}
	fmt.Printf("%s %s %d %d %s\n", base, expr, len(x), cap(x), off)
}

func main() {
	fmt.Printf("# go version: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Println("# generator: goslice/tests/golden/addr/main.go")
	fmt.Println("# rows: BASE EXPR LEN CAP OFFSET (bytes from BASE's data pointer, or nil)")

	s := []int64{1, 2, 3}
	row("s", s, "s[0:]", s[0:])
	row("s", s, "s[1:]", s[1:])
	row("s", s, "s[2:]", s[2:])
	row("s", s, "s[3:]", s[3:])
	row("s", s, "s[:0]", s[:0])
	row("s", s, "s[1:1]", s[1:1])
	row("s", s, "s[3:3]", s[3:3])
	row("s", s, "s[0:0:0]", s[0:0:0])
	row("s", s, "s[1:1:1]", s[1:1:1])
	row("s", s, "s[1:1:2]", s[1:1:2])
	row("s", s, "s[2:2:2]", s[2:2:2])
	row("s", s, "s[2:2:3]", s[2:2:3])
	row("s", s, "s[1:2:2]", s[1:2:2])
	row("s", s, "s[2:3:3]", s[2:3:3])
	row("s", s, "s[3:3:3]", s[3:3:3])

	t := s[1:]
	row("t", t, "t[0:]", t[0:])
	row("t", t, "t[1:]", t[1:])
	row("t", t, "t[2:]", t[2:])
	row("t", t, "t[1:1:1]", t[1:1:1])
	row("t", t, "t[2:2:2]", t[2:2:2])
	row("t", t, "t[0:0:0]", t[0:0:0])

	e := []int64{}
	row("e", e, "e[0:]", e[0:])
	row("e", e, "e[0:0:0]", e[0:0:0])

	var n []int64
	row("n", n, "n[0:]", n[0:])
	row("n", n, "n[0:0:0]", n[0:0:0])

	z := make([]struct{}, 3)
	row("z", z, "z[1:]", z[1:])
	row("z", z, "z[3:]", z[3:])
	row("z", z, "z[1:2:3]", z[1:2:3])
	row("z", z, "z[2:2:2]", z[2:2:2])

	// growslice's zero-size case: zerobase, cap = new length, no copying.
	big := make([]struct{}, 1<<40)
	row("big", big, "append(big,{})", append(big, struct{}{}))
	row("big", big, "append(big,big...)", append(big, big...))

	if len(sink) == 0 {
		os.Exit(1)
	}
}
