// Command gen_swiss prints golden data of Go's swiss-table map
// (internal/runtime/maps, Go 1.24+), read from the live map through unsafe.
//
// It mirrors the leading fields of maps.Map and maps.table (identical in Go
// 1.24 to 1.27) and of abi.MapType (abi.SwissMapType in 1.24-1.26: the same
// offsets up to GroupSize), and checks what it reads: every full slot's
// control byte must be the H2 of its key's hash, and its table the one the
// directory gives for that hash.
//
// Usage:
//
//	go run . layout        # rows "type GroupSize" for a few map types
//	go run . make          # rows "hint dirLen tables total_capacity", hints 0..2000
//	go run . inserts N     # rows "count dirLen tables total_capacity": keys 0..N-1
//	go run . steps-inserts # see steps.go
//	go run . steps-churn   # see steps.go
//	go run . steps-split   # see steps.go
//
// Go 1.23 and older have the classic map; this program refuses to run there.
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

// abiType mirrors internal/abi.Type.
type abiType struct {
	size       uintptr
	ptrBytes   uintptr
	hash       uint32
	tflag      uint8
	align      uint8
	fieldAlign uint8
	kind       uint8
	equal      func(unsafe.Pointer, unsafe.Pointer) bool
	gcdata     *byte
	str        int32
	ptrToThis  int32
}

// mapType mirrors the leading fields of internal/abi.MapType (Go 1.27;
// abi.SwissMapType in 1.24-1.26 has the same ones).
type mapType struct {
	typ       abiType
	key       *abiType
	elem      *abiType
	group     *abiType
	hasher    func(unsafe.Pointer, uintptr) uintptr
	groupSize uintptr
}

// swissMap mirrors the leading fields of internal/runtime/maps.Map.
type swissMap struct {
	used        uint64
	seed        uintptr
	dirPtr      unsafe.Pointer
	dirLen      int
	globalDepth uint8
	globalShift uint8
}

// table mirrors internal/runtime/maps.table.
type table struct {
	used       uint16
	capacity   uint16
	growthLeft uint16
	localDepth uint8
	index      int
	groupsData unsafe.Pointer
	lengthMask uint64
}

// eface is an interface value: its type word points at the map's type.
type eface struct {
	typ  *mapType
	data unsafe.Pointer
}

const (
	ctrlEmpty   = 0x80
	ctrlDeleted = 0xfe
	groupSlots  = 8
	// map[int64]int64: a control word, then 8 slots of key and value.
	groupSize = 8 + groupSlots*16
)

// sink keeps every map on the heap.
var sink map[int64]int64

var out = bufio.NewWriter(os.Stdout)

func fail(format string, args ...any) {
	out.Flush()
	fmt.Fprintf(os.Stderr, "gen_swiss: "+format+"\n", args...)
	os.Exit(1)
}

func mapTypeOf(m any) *mapType {
	return (*eface)(unsafe.Pointer(&m)).typ
}

// view reads one map[int64]int64's internals.
type view struct {
	m  map[int64]int64
	h  *swissMap
	mt *mapType
}

func newView(m map[int64]int64) *view {
	sink = m
	v := &view{m: m, h: *(**swissMap)(unsafe.Pointer(&m)), mt: mapTypeOf(m)}
	if v.mt.groupSize != groupSize {
		fail("GroupSize of map[int64]int64 is %d, want %d", v.mt.groupSize, groupSize)
	}
	return v
}

// hash is Go's hash of k in this map now (the map's hasher, its seed).
func (v *view) hash(k int64) uint64 {
	return uint64(v.mt.hasher(unsafe.Pointer(&k), v.h.seed))
}

// tables lists the distinct tables in directory order.
func (v *view) tables() []*table {
	var ts []*table
	for i := 0; i < v.h.dirLen; i++ {
		t := *(**table)(unsafe.Add(v.h.dirPtr, i*8))
		if len(ts) == 0 || ts[len(ts)-1] != t {
			ts = append(ts, t)
		}
	}
	return ts
}

// shape is the map's "dirLen tables total_capacity": a small map counts
// 8 slots, a map that allocated nothing 0.
func (v *view) shape() (int, int, int) {
	if v.h.dirLen == 0 {
		if v.h.dirPtr == nil {
			return 0, 0, 0
		}
		return 0, 0, groupSlots
	}
	total := 0
	ts := v.tables()
	for _, t := range ts {
		total += int(t.capacity)
	}
	return v.h.dirLen, len(ts), total
}

// groupCtrls is the control word of group g of an array.
func groupCtrls(data unsafe.Pointer, g uint64) uint64 {
	return *(*uint64)(unsafe.Add(data, uintptr(g)*groupSize))
}

func slotKey(data unsafe.Pointer, g uint64, i int) int64 {
	return *(*int64)(unsafe.Add(data, uintptr(g)*groupSize+8+uintptr(i)*16))
}

// check verifies what was read: used counts, every full slot's control byte
// is the H2 of its key's hash, and its table is the directory's for it.
func (v *view) check() {
	if int(v.h.used) != len(v.m) {
		fail("Map.used %d, len %d", v.h.used, len(v.m))
	}
	checkGroup := func(data unsafe.Pointer, g uint64) int {
		full := 0
		c := groupCtrls(data, g)
		for i := 0; i < groupSlots; i++ {
			b := byte(c >> (8 * i))
			if b&ctrlEmpty != 0 {
				continue
			}
			full++
			h := v.hash(slotKey(data, g, i))
			if uint64(b) != h&0x7f {
				fail("slot control %#x, h2 of its key %#x", b, h&0x7f)
			}
		}
		return full
	}
	if v.h.dirLen == 0 {
		if v.h.dirPtr != nil && checkGroup(v.h.dirPtr, 0) != int(v.h.used) {
			fail("small map: full slots != used")
		}
		return
	}
	total := 0
	for _, t := range v.tables() {
		full := 0
		for g := uint64(0); g <= t.lengthMask; g++ {
			full += checkGroup(t.groupsData, g)
			c := groupCtrls(t.groupsData, g)
			for i := 0; i < groupSlots; i++ {
				if byte(c>>(8*i))&ctrlEmpty != 0 {
					continue
				}
				h := v.hash(slotKey(t.groupsData, g, i))
				idx := 0
				if v.h.dirLen > 1 {
					idx = int(h >> (64 - uint(v.h.globalDepth)))
				}
				span := 1 << (v.h.globalDepth - t.localDepth)
				if idx < t.index || idx >= t.index+span {
					fail("key in table %d..%d, hash names entry %d", t.index, t.index+span, idx)
				}
			}
		}
		if full != int(t.used) {
			fail("table used %d, full slots %d", t.used, full)
		}
		total += full
	}
	if total != int(v.h.used) {
		fail("tables hold %d, used %d", total, v.h.used)
	}
}

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
	if minor < 24 {
		fail("%s: swiss-table maps arrive in Go 1.24", v)
	}
}

func layout() {
	fmt.Fprintln(out, "# rows: type GroupSize  (abi.MapType.GroupSize)")
	rows := []struct {
		name string
		m    any
	}{
		{"map[int64]int64", map[int64]int64(nil)},
		{"map[int64]int8", map[int64]int8(nil)},
		{"map[int8]int64", map[int8]int64(nil)},
		{"map[uint8]uint8", map[uint8]uint8(nil)},
		{"map[uint32]uint8", map[uint32]uint8(nil)},
		{"map[int64]struct{}", map[int64]struct{}(nil)},
		{"map[struct{}]struct{}", map[struct{}]struct{}(nil)},
		{"map[[200]uint8]uint8", map[[200]uint8]uint8(nil)},
		{"map[uint8][129]uint8", map[uint8][129]uint8(nil)},
		{"map[[128]uint8]uint8", map[[128]uint8]uint8(nil)},
	}
	for _, r := range rows {
		fmt.Fprintf(out, "%s %d\n", r.name, mapTypeOf(r.m).groupSize)
	}
}

func makeHint() {
	fmt.Fprintln(out, "# rows: hint dirLen tables total_capacity  (make(map[int64]int64, hint), read from maps.Map)")
	for hint := 0; hint <= 2000; hint++ {
		v := newView(make(map[int64]int64, hint))
		v.check()
		d, t, c := v.shape()
		fmt.Fprintf(out, "%d %d %d %d\n", hint, d, t, c)
	}
}

func inserts(n int) {
	fmt.Fprintf(out, "# rows: count dirLen tables total_capacity  (distinct int64 keys 0..%d inserted into\n", n-1)
	fmt.Fprintln(out, "#        make(map[int64]int64): the first insert, then every insert that changed the shape)")
	v := newView(make(map[int64]int64))
	last := ""
	for k := int64(0); k < int64(n); k++ {
		v.m[k] = k
		d, t, c := v.shape()
		row := fmt.Sprintf("%d %d %d", d, t, c)
		if row != last {
			fmt.Fprintf(out, "%d %s\n", len(v.m), row)
			last = row
		}
	}
	v.check()
}

func main() {
	modes := map[string]func(args []string){
		"layout": func([]string) { layout() },
		"make":   func([]string) { makeHint() },
		"inserts": func(args []string) {
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 0 {
				fail("inserts takes a count")
			}
			inserts(n)
		},
		"steps-inserts": func([]string) { stepsInserts() },
		"steps-churn":   func([]string) { stepsChurn() },
		"steps-split":   func([]string) { stepsSplit() },
	}
	if len(os.Args) < 2 || modes[os.Args[1]] == nil || (os.Args[1] == "inserts" && len(os.Args) != 3) {
		fmt.Fprintln(os.Stderr, "usage: gen_swiss layout|make|inserts N|steps-inserts|steps-churn|steps-split")
		os.Exit(2)
	}
	checkVersion()
	fmt.Fprintf(out, "# go version: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(out, "# generator: gomap/tests/golden/gen_swiss", strings.Join(os.Args[1:], " "))
	modes[os.Args[1]](os.Args[2:])
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
