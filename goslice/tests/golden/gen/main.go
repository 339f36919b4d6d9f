// Command gen prints golden slice-growth observations for goslice's tests.
//
// It runs the real Go runtime's append/growslice (linux/amd64) and prints one
// row per observation:
//
//	elem_size pointers old_len old_cap added new_len new_cap
//
// pointers is 1 when the element type holds a pointer (the allocation is
// "scan", which matters from Go 1.22 on: the malloc header), else 0.
//
// Part (a): one-by-one appends to a nil slice until len 5000, a row only when
// the capacity changes (old_len/old_cap are the values before the append).
// Part (b): s := make([]T, n, n); append(s, extra...) with len(extra) = k,
// one row per (n, k).
//
// Every slice is stored in the package-level `sink` so that its backing array
// lives on the heap: from Go 1.25 the compiler may give a non-escaping slice a
// 32-byte stack buffer (runtime.growsliceBuf), whose capacities differ.
//
// Std-only; it needs Go 1.18+ (generics). Usage: go run . > go1.NN.txt
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"unsafe"
)

var sink any
var sinkExtra any

var out = bufio.NewWriter(os.Stdout)

const maxLen = 5000

var multiN = []int{0, 1, 2, 3, 5, 7, 10, 100, 255, 256, 257, 1000, 1023, 1024, 1025, 3000}
var multiK = []int{1, 2, 3, 5, 9, 17, 100, 1000}

func row(size uintptr, ptr int, oldLen, oldCap, added, newLen, newCap int) {
	fmt.Fprintf(out, "%d %d %d %d %d %d %d\n", size, ptr, oldLen, oldCap, added, newLen, newCap)
}

// oneByOne is part (a) for element type T.
func oneByOne[T any](ptr int) {
	var zero T
	size := unsafe.Sizeof(zero)
	var s []T
	sink = s
	for len(s) < maxLen {
		oldLen, oldCap := len(s), cap(s)
		s = append(s, zero)
		sink = s
		if cap(s) != oldCap {
			row(size, ptr, oldLen, oldCap, 1, len(s), cap(s))
		}
	}
	sink = nil
	runtime.GC()
}

// multi is part (b) for element type T.
func multi[T any](ptr int) {
	var zero T
	size := unsafe.Sizeof(zero)
	for _, n := range multiN {
		for _, k := range multiK {
			s := make([]T, n, n)
			sink = s
			extra := make([]T, k)
			sinkExtra = extra
			s2 := append(s, extra...)
			sink = s2
			row(size, ptr, n, n, k, len(s2), cap(s2))
		}
	}
	sink, sinkExtra = nil, nil
	runtime.GC()
}

func both[T any](ptr int) {
	oneByOne[T](ptr)
	multi[T](ptr)
}

// Pointer-free element types: byte arrays of the listed sizes.
type (
	N1     [1]byte
	N2     [2]byte
	N4     [4]byte
	N8     [8]byte
	N12    [12]byte
	N16    [16]byte
	N24    [24]byte
	N32    [32]byte
	N40    [40]byte
	N48    [48]byte
	N64    [64]byte
	N72    [72]byte
	N100   [100]byte
	N128   [128]byte
	N256   [256]byte
	N520   [520]byte
	N600   [600]byte
	N1000  [1000]byte
	N4096  [4096]byte
	N10000 [10000]byte
)

// Pointerful element types: a *int then padding up to the size. On amd64 a
// struct holding a pointer has a size that is a multiple of 8, so sizes 1, 2,
// 4, 12 and 100 have no pointerful version.
type (
	P8  struct{ p *int }
	P16 struct {
		p *int
		_ [8]byte
	}
	P24 struct {
		p *int
		_ [16]byte
	}
	P32 struct {
		p *int
		_ [24]byte
	}
	P40 struct {
		p *int
		_ [32]byte
	}
	P48 struct {
		p *int
		_ [40]byte
	}
	P64 struct {
		p *int
		_ [56]byte
	}
	P72 struct {
		p *int
		_ [64]byte
	}
	P128 struct {
		p *int
		_ [120]byte
	}
	P256 struct {
		p *int
		_ [248]byte
	}
	P520 struct {
		p *int
		_ [512]byte
	}
	P600 struct {
		p *int
		_ [592]byte
	}
	P1000 struct {
		p *int
		_ [992]byte
	}
	P4096 struct {
		p *int
		_ [4088]byte
	}
	P10000 struct {
		p *int
		_ [9992]byte
	}
)

func checkSizes() {
	sizes := []uintptr{
		unsafe.Sizeof(N1{}), unsafe.Sizeof(N2{}), unsafe.Sizeof(N4{}), unsafe.Sizeof(N8{}),
		unsafe.Sizeof(N12{}), unsafe.Sizeof(N16{}), unsafe.Sizeof(N24{}), unsafe.Sizeof(N32{}),
		unsafe.Sizeof(N40{}), unsafe.Sizeof(N48{}), unsafe.Sizeof(N64{}), unsafe.Sizeof(N72{}),
		unsafe.Sizeof(N100{}), unsafe.Sizeof(N128{}), unsafe.Sizeof(N256{}), unsafe.Sizeof(N520{}),
		unsafe.Sizeof(N600{}), unsafe.Sizeof(N1000{}), unsafe.Sizeof(N4096{}), unsafe.Sizeof(N10000{}),
		unsafe.Sizeof(P8{}), unsafe.Sizeof(P16{}), unsafe.Sizeof(P24{}), unsafe.Sizeof(P32{}),
		unsafe.Sizeof(P40{}), unsafe.Sizeof(P48{}), unsafe.Sizeof(P64{}), unsafe.Sizeof(P72{}),
		unsafe.Sizeof(P128{}), unsafe.Sizeof(P256{}), unsafe.Sizeof(P520{}), unsafe.Sizeof(P600{}),
		unsafe.Sizeof(P1000{}), unsafe.Sizeof(P4096{}), unsafe.Sizeof(P10000{}),
	}
	want := []uintptr{1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 64, 72, 100, 128, 256, 520, 600, 1000, 4096, 10000,
		8, 16, 24, 32, 40, 48, 64, 72, 128, 256, 520, 600, 1000, 4096, 10000}
	for i := range sizes {
		if sizes[i] != want[i] {
			fmt.Fprintf(os.Stderr, "type %d has size %d, want %d\n", i, sizes[i], want[i])
			os.Exit(1)
		}
	}
}

// sanity reproduces the seed's example: append([]int{1,2}, 4,5,6) on the heap.
func sanity() {
	s := []int{1, 2}
	sink = s
	s = append(s, 4, 5, 6)
	sink = s
	fmt.Fprintf(out, "# check: heap append([]int{1,2}, 4,5,6) -> len=%d cap=%d\n", len(s), cap(s))
	if len(s) != 5 {
		fmt.Fprintln(os.Stderr, "sanity: bad len")
		os.Exit(1)
	}
	sink = nil
}

func main() {
	checkSizes()
	fmt.Fprintf(out, "# go version: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(out, "# generator: goslice/tests/golden/gen/main.go (heap-escaping slices)")
	fmt.Fprintln(out, "# part a: one-by-one appends to a nil slice until len 5000, row when cap changes")
	fmt.Fprintln(out, "# part b: make([]T, n, n) then append(s, make([]T, k)...), one row per (n, k)")
	fmt.Fprintln(out, "# pointers=1 types: struct{ p *int; _ [size-8]byte }; pointers=0 types: [size]byte")
	sanity()
	fmt.Fprintln(out, "# elem_size pointers old_len old_cap added new_len new_cap")

	both[N1](0)
	both[N2](0)
	both[N4](0)
	both[N8](0)
	both[N12](0)
	both[N16](0)
	both[N24](0)
	both[N32](0)
	both[N40](0)
	both[N48](0)
	both[N64](0)
	both[N72](0)
	both[N100](0)
	both[N128](0)
	both[N256](0)
	both[N520](0)
	both[N600](0)
	both[N1000](0)
	both[N4096](0)
	both[N10000](0)

	both[P8](1)
	both[P16](1)
	both[P24](1)
	both[P32](1)
	both[P40](1)
	both[P48](1)
	both[P64](1)
	both[P72](1)
	both[P128](1)
	both[P256](1)
	both[P520](1)
	both[P600](1)
	both[P1000](1)
	both[P4096](1)
	both[P10000](1)

	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
