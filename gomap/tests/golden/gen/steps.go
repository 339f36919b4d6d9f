// Step-by-step traces of Go's classic map, with the hash Go used for every
// key, so that gomap can replay the same operations with the same hashes and
// be compared after each one.
//
//	go run . steps-incr  > go1.NN_steps_incr.txt   # m[k]++ on present keys during growths
//	go run . steps-clear > go1.NN_steps_clear.txt  # mapclear of empty and non-empty maps
//
// The hash of a key is computed by the map's own hasher (maptype.hasher)
// with the map's current seed (hmap.hash0), read through unsafe; Go 1.19
// draws a new seed when a map's last key is deleted and in mapclear, so
// every row carries the hash of its key under the seed of that moment.
package main

import (
	"fmt"
	"strings"
	"unsafe"
)

// _type mirrors the leading fields of runtime._type (Go 1.19 runtime/type.go;
// internal/abi.Type has the same layout in 1.21–1.23).
type _type struct {
	size       uintptr
	ptrdata    uintptr
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

// maptype mirrors runtime.maptype (Go 1.19; internal/abi.MapType in 1.21+).
type maptype struct {
	typ        _type
	key        *_type
	elem       *_type
	bucket     *_type
	hasher     func(unsafe.Pointer, uintptr) uintptr
	keysize    uint8
	elemsize   uint8
	bucketsize uint16
	flags      uint32
}

// eface is an interface value: its type word points at the map's maptype.
type eface struct {
	typ  *maptype
	data unsafe.Pointer
}

const (
	sameSizeGrow  = 8 // hmap.flags bit
	emptyOne      = 1 // tophash states, Go 1.12+
	minTopHash    = 5
	bucketCnt     = 8
	overflowBytes = 8 // the overflow pointer ends a bucket
)

// tracer prints rows for one map[int64]int64.
type tracer struct {
	m  map[int64]int64
	h  *hmap
	mt *maptype
}

// newTracer makes the map (a "make HINT" row).
func newTracer(hint int) *tracer {
	m := make(map[int64]int64, hint)
	sink = m
	var i interface{} = m
	t := &tracer{m: m, h: header(m), mt: (*eface)(unsafe.Pointer(&i)).typ}
	t.row("make", int64(hint), 0)
	return t
}

// hash is Go's hash of k in this map now.
func (t *tracer) hash(k int64) uint64 {
	return uint64(t.mt.hasher(unsafe.Pointer(&k), uintptr(t.h.hash0)))
}

func (t *tracer) bucket(arr unsafe.Pointer, i uintptr) unsafe.Pointer {
	return unsafe.Add(arr, i*uintptr(t.mt.bucketsize))
}

func (t *tracer) overflow(b unsafe.Pointer) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Add(b, uintptr(t.mt.bucketsize)-overflowBytes))
}

func (t *tracer) noldbuckets() uintptr {
	if t.h.flags&sameSizeGrow != 0 {
		return 1 << t.h.B
	}
	return 1 << (t.h.B - 1)
}

// state is the row's tail: the header fields and which old buckets are
// evacuated (evacuated(b): tophash[0] strictly between emptyOne and
// minTopHash).
func (t *tracer) state() string {
	h := t.h
	if h.count != len(t.m) {
		panic("layout check failed: hmap.count != len(m)")
	}
	// nevacuate means something only while growing (hashGrow zeroes it; it
	// keeps its last value after), so it is "-" otherwise.
	grow, nevacuate, evacuated := "none", "-", ""
	if h.oldbuckets != nil {
		nevacuate = fmt.Sprint(h.nevacuate)
		grow = "double"
		if h.flags&sameSizeGrow != 0 {
			grow = "same"
		}
		var sb strings.Builder
		for i := uintptr(0); i < t.noldbuckets(); i++ {
			top0 := *(*uint8)(t.bucket(h.oldbuckets, i))
			if top0 > emptyOne && top0 < minTopHash {
				sb.WriteByte('1')
			} else {
				sb.WriteByte('0')
			}
		}
		evacuated = sb.String()
	}
	return fmt.Sprintf("count=%d B=%d noverflow=%d grow=%s nevacuate=%s evacuated=%s",
		h.count, h.B, h.noverflow, grow, nevacuate, evacuated)
}

// layout prints every chain of an array: each bucket's 8 tophash bytes in
// hex, a chain's buckets joined by '+'.
func (t *tracer) layout(which string, arr unsafe.Pointer, n uintptr) {
	chains := make([]string, 0, n)
	for i := uintptr(0); i < n; i++ {
		var parts []string
		for b := t.bucket(arr, i); b != nil; b = t.overflow(b) {
			parts = append(parts, fmt.Sprintf("%x", (*[bucketCnt]uint8)(b)[:]))
		}
		chains = append(chains, strings.Join(parts, "+"))
	}
	fmt.Fprintf(out, "layout %s %s\n", which, strings.Join(chains, " "))
}

// dump prints the layout of the current array and, while growing, the old.
func (t *tracer) dump() {
	if t.h.buckets == nil {
		fmt.Fprintln(out, "layout new nil")
		return
	}
	t.layout("new", t.h.buckets, 1<<t.h.B)
	if t.h.oldbuckets != nil {
		t.layout("old", t.h.oldbuckets, t.noldbuckets())
	}
}

func (t *tracer) row(op string, k int64, hash uint64) {
	fmt.Fprintf(out, "%s %d %#x %s\n", op, k, hash, t.state())
}

func (t *tracer) insert(k, v int64) {
	hash := t.hash(k)
	t.m[k] = v
	t.row("insert", k, hash)
}

// incr is m[k]++ (one mapassign, whose growWork runs whether or not k is
// present).
func (t *tracer) incr(k int64) {
	hash := t.hash(k)
	t.m[k]++
	t.row("incr", k, hash)
}

func (t *tracer) delete(k int64) {
	hash := t.hash(k)
	delete(t.m, k)
	t.row("delete", k, hash)
}

// clear is the range-delete idiom, which the compiler turns into one call of
// mapclear (the builtin clear of Go 1.21+ calls it too), with the layout
// before and after. Not inlined: the inlined copies of the loop are compiled
// as deletes, one key at a time.
//
//go:noinline
func (t *tracer) clear() {
	t.dump()
	for k := range t.m {
		delete(t.m, k)
	}
	t.row("clear", 0, 0)
	t.dump()
}

func stepsIncr() {
	fmt.Fprintln(out, "# rows: OP KEY HASH STATE; OP make (KEY is the hint), insert (m[k] = k) or incr")
	fmt.Fprintln(out, "#       (m[k]++); HASH is Go's hash of KEY then; STATE is hmap after the op: count B")
	fmt.Fprintln(out, "#       noverflow grow (none, double, same) nevacuate (- when not growing) and")
	fmt.Fprintln(out, "#       evacuated (one digit per old bucket, 1 = evacuated)")
	fmt.Fprintln(out, "#   layout new|old CHAIN...: each chain's buckets' tophash bytes, '+' between buckets")
	t := newTracer(0)
	next := int64(0)
	// Two doublings (B 3 -> 4 at the 53rd key, 4 -> 5 at the 105th), each
	// followed by m[k]++ on present keys, one old bucket's keys after
	// another's, until the growth is over.
	for _, until := range []int64{53, 105} {
		for next < until {
			t.insert(next, next)
			next++
		}
		for i := int64(0); t.h.oldbuckets != nil; i++ {
			t.incr(i * 7 % next)
		}
	}
	// m[k]++ on a key that is not there inserts it, after the same growWork.
	for next < 209 {
		t.insert(next, next)
		next++
	}
	for i := int64(0); t.h.oldbuckets != nil; i++ {
		if i%3 == 0 {
			t.incr(1000 + i)
		} else {
			t.incr(i * 13 % next)
		}
	}
	t.dump()
}

// colliding returns n keys not in used whose hash under the current seed
// falls in bucket i of 2^B.
func (t *tracer) colliding(used map[int64]bool, i uint64, n int) []int64 {
	var keys []int64
	for k := int64(1); len(keys) < n; k++ {
		if !used[k] && t.hash(k)&(1<<t.h.B-1) == i {
			used[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

func stepsClear() {
	fmt.Fprintln(out, "# rows: OP KEY HASH STATE; OP make (KEY is the hint), insert (m[k] = k), delete or clear")
	fmt.Fprintln(out, "#       (the range-delete idiom, i.e. mapclear; KEY and HASH 0); HASH is Go's hash of KEY then;")
	fmt.Fprintln(out, "#       STATE is hmap after the op: count B noverflow grow (none, double, same)")
	fmt.Fprintln(out, "#       nevacuate (- when not growing) and evacuated (one digit per old bucket,")
	fmt.Fprintln(out, "#       1 = evacuated);")
	fmt.Fprintln(out, "#   layout new|old CHAIN...: each chain's buckets' tophash bytes, '+' between buckets")
	fmt.Fprintln(out, "# scenario 1: make(map[int64]int64, 20) (B=2), 9 keys into one bucket (an overflow")
	fmt.Fprintln(out, "#   bucket), all deleted, then clear: Go leaves noverflow and the tombstones")
	t := newTracer(20)
	used := map[int64]bool{}
	for _, k := range t.colliding(used, 1, 9) {
		t.insert(k, k)
	}
	keys := make([]int64, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	for _, k := range keys {
		t.delete(k)
	}
	t.clear()

	fmt.Fprintln(out, "# scenario 2: make(map[int64]int64, 200) (B=5); for each bucket, 9 keys into it")
	fmt.Fprintln(out, "#   then all deleted: noverflow reaches 32, so the next insert starts a same-size")
	fmt.Fprintln(out, "#   growth; that key deleted, the map is empty mid-growth; clear leaves it so")
	t = newTracer(200)
	used = map[int64]bool{}
	for i := uint64(0); i < 1<<t.h.B; i++ {
		keys := t.colliding(used, i, 9)
		for _, k := range keys {
			t.insert(k, k)
		}
		for _, k := range keys {
			t.delete(k)
		}
	}
	k := t.colliding(used, 3, 1)[0]
	t.insert(k, k)
	t.delete(k)
	t.clear()

	fmt.Fprintln(out, "# scenario 3: the same, but with keys left in the map when it is cleared:")
	fmt.Fprintln(out, "#   mapclear ends the growth, zeroes noverflow and every bucket, keeps B")
	for _, k := range t.colliding(used, 3, 2) {
		t.insert(k, k)
	}
	t.clear()
	for _, k := range t.colliding(used, 5, 10) {
		t.insert(k, k)
	}
	t.dump()
}
