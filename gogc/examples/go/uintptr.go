// Chapter 5 of the notes: a uintptr does not keep its object alive, an
// unsafe.Pointer does. Each object gets a finalizer, which runs only once
// the collector has found the object unreachable; runtime.GC() runs a full
// cycle. Run: go run uintptr.go > uintptr.golden
// (gogc's example `uintptr` prints the same lines; tests/uintptr.rs checks it.)
package main

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

type T struct {
	id  int
	pad [64]byte // not a tiny allocation: freed on its own
}

// freed reports whether the finalizer of the object ran after two cycles.
func freed(done chan int, id int) bool {
	runtime.GC()
	runtime.GC()
	select {
	case got := <-done:
		return got == id
	case <-time.After(time.Second):
		return false
	}
}

func main() {
	done := make(chan int, 2)

	p := &T{id: 1}
	runtime.SetFinalizer(p, func(t *T) { done <- t.id })
	u := uintptr(unsafe.Pointer(p)) // only a number: the collector does not see it
	p = nil
	fmt.Printf("uintptr: object 1 freed by runtime.GC(): %v\n", freed(done, 1))
	_ = u

	q := &T{id: 2}
	runtime.SetFinalizer(q, func(t *T) { done <- t.id })
	ptr := unsafe.Pointer(q) // a pointer: the collector sees it
	q = nil
	fmt.Printf("unsafe.Pointer: object 2 freed by runtime.GC(): %v\n", freed(done, 2))
	runtime.KeepAlive(ptr)
}
