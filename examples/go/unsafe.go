// Chapter 5 of the notes (Unsafe): a struct's field offsets and size as
// unsafe.Offsetof/Sizeof/Alignof give them on amd64, and the notes' trick
// of writing a field through a pointer moved by its offset.
// Run: go run unsafe.go > unsafe.golden
// (the tour's chapter 5 prints Rust's offset_of!/size_of beside these
// lines; tests/tour.rs checks its #[repr(C)] twin against them.)
package main

import (
	"fmt"
	"unsafe"
)

// Mixed sizes, so the layout has padding: Go lays fields out in
// declaration order, each at the next multiple of its alignment.
type Mixed struct {
	flag  bool
	count int64
	port  int16
	name  string
	tag   [3]byte
	id    uint32
	next  unsafe.Pointer
}

// The notes' example: two strings, the second reached by its offset.
type Programmer struct {
	name     string
	language string
}

func main() {
	var m Mixed
	fmt.Printf("Sizeof(Mixed)=%d Alignof(Mixed)=%d\n", unsafe.Sizeof(m), unsafe.Alignof(m))
	fmt.Printf("Offsetof(Mixed.flag)=%d\n", unsafe.Offsetof(m.flag))
	fmt.Printf("Offsetof(Mixed.count)=%d\n", unsafe.Offsetof(m.count))
	fmt.Printf("Offsetof(Mixed.port)=%d\n", unsafe.Offsetof(m.port))
	fmt.Printf("Offsetof(Mixed.name)=%d\n", unsafe.Offsetof(m.name))
	fmt.Printf("Offsetof(Mixed.tag)=%d\n", unsafe.Offsetof(m.tag))
	fmt.Printf("Offsetof(Mixed.id)=%d\n", unsafe.Offsetof(m.id))
	fmt.Printf("Offsetof(Mixed.next)=%d\n", unsafe.Offsetof(m.next))

	p := Programmer{"stefno", "go"}
	fmt.Printf("Sizeof(Programmer)=%d Alignof(Programmer)=%d\n", unsafe.Sizeof(p), unsafe.Alignof(p))
	fmt.Printf("Offsetof(Programmer.name)=%d\n", unsafe.Offsetof(p.name))
	fmt.Printf("Offsetof(Programmer.language)=%d\n", unsafe.Offsetof(p.language))
	name := (*string)(unsafe.Pointer(&p))
	*name = "qcrao"
	lang := (*string)(unsafe.Pointer(uintptr(unsafe.Pointer(&p)) + unsafe.Offsetof(p.language)))
	*lang = "Golang"
	fmt.Println(p)
}
