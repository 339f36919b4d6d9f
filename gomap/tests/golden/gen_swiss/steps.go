// Step-by-step traces of Go's swiss-table map, with the hash Go used for
// every key, so that gomap can replay the same operations with the same
// hashes and be compared after each one.
//
//	go run . steps-inserts > go1.NN_steps_inserts.txt  # keys 0..7999: growth, splits, directory doublings
//	go run . steps-churn   > go1.NN_steps_churn.txt    # small map, tombstones, pruning, reseeding, clear
//	go run . steps-split   > go1.NN_steps_split.txt    # growth to a split among tombstones
//
// The hash of a key is the map's own hasher (abi.MapType.Hasher) with the
// map's current seed (Map.seed), read through unsafe. Go draws a new seed
// when a delete removes the last entry and in Clear; every row says which
// seed ("epoch", counted from 0) its hash was made with.
//
// Row formats (fields separated by one space):
//
//	OP KEY HASH STATE   one operation: make (KEY = hint), assign, delete or
//	                    clear (KEY and HASH "-"); HASH is 16 hex digits
//	state STATE         (steps-inserts) the map after the insert above,
//	                    when its tables changed
//	ctrl TABLES         every group's control word, 16 hex digits (byte
//	                    i = slot i), groups joined by "." and tables by "|"
//
// STATE is "used=U epoch=E dirLen=D depth=G tables=T" where T is "nil"
// (nothing allocated), "small" (one group, no table) or, per table in
// directory order and joined by ",", "index:localDepth:capacity:used:
// growthLeft:tombstones" (tombstones counted from the control bytes).
package main

import (
	"fmt"
	"strings"
	"unsafe"
)

// tracer prints rows for one map[int64]int64.
type tracer struct {
	*view
	epoch    int
	lastSeed uintptr
}

func newTracer(hint int) *tracer {
	t := &tracer{view: newView(make(map[int64]int64, hint))}
	t.lastSeed = t.h.seed
	fmt.Fprintf(out, "make %d - %s\n", hint, t.state())
	return t
}

func (t *tracer) state() string {
	tables := "nil"
	if t.h.dirLen == 0 {
		if t.h.dirPtr != nil {
			tables = "small"
		}
	} else {
		var parts []string
		for _, tb := range t.tables() {
			tomb := 0
			for g := uint64(0); g <= tb.lengthMask; g++ {
				c := groupCtrls(tb.groupsData, g)
				for i := 0; i < groupSlots; i++ {
					if byte(c>>(8*i)) == ctrlDeleted {
						tomb++
					}
				}
			}
			parts = append(parts, fmt.Sprintf("%d:%d:%d:%d:%d:%d", tb.index, tb.localDepth, tb.capacity, tb.used, tb.growthLeft, tomb))
		}
		tables = strings.Join(parts, ",")
	}
	return fmt.Sprintf("used=%d epoch=%d dirLen=%d depth=%d tables=%s", t.h.used, t.epoch, t.h.dirLen, t.h.globalDepth, tables)
}

// reseeded counts a new seed.
func (t *tracer) reseeded() {
	if t.h.seed != t.lastSeed {
		t.epoch++
		t.lastSeed = t.h.seed
	}
}

func (t *tracer) hashField(k int64) string {
	return fmt.Sprintf("%016x", t.hash(k))
}

func (t *tracer) assign(k int64, quiet bool) {
	h := t.hashField(k)
	t.m[k] = k
	t.reseeded()
	if !quiet {
		fmt.Fprintf(out, "assign %d %s %s\n", k, h, t.state())
	}
}

func (t *tracer) delete(k int64) {
	h := t.hashField(k)
	delete(t.m, k)
	t.reseeded()
	fmt.Fprintf(out, "delete %d %s %s\n", k, h, t.state())
}

func (t *tracer) clear() {
	clear(t.m)
	t.reseeded()
	fmt.Fprintf(out, "clear - - %s\n", t.state())
}

// ctrl prints every group's control word.
func (t *tracer) ctrl() {
	var tables []string
	word := func(data unsafe.Pointer, g uint64) string {
		c := groupCtrls(data, g)
		var b strings.Builder
		for i := 0; i < groupSlots; i++ {
			fmt.Fprintf(&b, "%02x", byte(c>>(8*i)))
		}
		return b.String()
	}
	if t.h.dirLen == 0 {
		if t.h.dirPtr != nil {
			tables = append(tables, word(t.h.dirPtr, 0))
		}
	} else {
		for _, tb := range t.tables() {
			var groups []string
			for g := uint64(0); g <= tb.lengthMask; g++ {
				groups = append(groups, word(tb.groupsData, g))
			}
			tables = append(tables, strings.Join(groups, "."))
		}
	}
	fmt.Fprintf(out, "ctrl %s\n", strings.Join(tables, "|"))
}

// xorshift is a fixed pseudo-random sequence for the churn.
type xorshift uint64

func (x *xorshift) next(n int) int {
	*x ^= *x << 13
	*x ^= *x >> 7
	*x ^= *x << 17
	return int(uint64(*x) % uint64(n))
}

func stepsInserts() {
	fmt.Fprintln(out, "# steps-inserts: keys 0..7999 assigned to make(map[int64]int64); a state row after every insert that changed a table")
	t := newTracer(0)
	last := t.state()
	for k := int64(0); k < 8000; k++ {
		fmt.Fprintf(out, "%d %s\n", k, t.hashField(k))
		t.assign(k, true)
		s := t.state()
		// The shape: everything but the counts that every insert moves.
		shape := func(s string) string {
			var keep []string
			for _, tb := range strings.Split(s[strings.Index(s, "tables="):], ",") {
				f := strings.Split(tb, ":")
				if len(f) == 6 {
					f = f[:3]
				}
				keep = append(keep, strings.Join(f, ":"))
			}
			return s[strings.Index(s, "dirLen="):strings.Index(s, "tables=")] + strings.Join(keep, ",")
		}
		if shape(s) != shape(last) {
			fmt.Fprintf(out, "state %s\n", s)
		}
		last = s
	}
	fmt.Fprintf(out, "state %s\n", t.state())
	t.ctrl()
	t.check()
}

func stepsChurn() {
	fmt.Fprintln(out, "# steps-churn: a small map filled, an update of a full small map, table churn over 120 keys,")
	fmt.Fprintln(out, "# every key deleted, clear of a map holding only tombstones, a sliding window of keys at high load")
	fmt.Fprintln(out, "# (tombstones pruned or the table grown), every key deleted")
	t := newTracer(0)
	// The small map: filled, a delete and a re-insert, an update when full.
	for k := int64(1); k <= 8; k++ {
		t.assign(k, false)
	}
	t.delete(3)
	t.assign(3, false)
	t.assign(5, false) // an update of a full small map
	t.ctrl()
	t.assign(9, false)
	t.ctrl()
	// Churn over 120 keys: tombstones, their reuse, pruning, growth.
	rng := xorshift(0x9e3779b97f4a7c15)
	for i := 0; i < 800; i++ {
		k := int64(rng.next(120))
		if rng.next(10) < 6 {
			t.assign(k, false)
		} else {
			t.delete(k)
		}
		if i%200 == 199 {
			t.ctrl()
			t.check()
		}
	}
	// Every key deleted (the last delete draws a new seed), then clear of
	// a map that holds only tombstones.
	for k := int64(0); k < 120; k++ {
		if _, ok := t.m[k]; ok {
			t.delete(k)
		}
	}
	t.ctrl()
	t.clear()
	t.ctrl()
	// A window of keys sliding over the ids, a quarter of the capacity
	// below the 7/8 load: deletes in full groups leave tombstones until
	// growthLeft runs out, then Go 1.25+ prunes them (1.24 grows).
	capacity := int(t.tables()[0].capacity)
	window := capacity*7/8 - capacity/4
	for k := int64(0); k < int64(window+4*capacity); k++ {
		t.assign(500+k, false)
		if k >= int64(window) {
			t.delete(500 + k - int64(window))
		}
		if k%128 == 127 {
			t.ctrl()
		}
	}
	for k := int64(0); k < int64(window+4*capacity); k++ {
		if _, ok := t.m[500+k]; ok {
			t.delete(500 + k)
		}
	}
	t.ctrl()
	t.check()
}

func stepsSplit() {
	fmt.Fprintln(out, "# steps-split: keys assigned to make(map[int64]int64), a random present key deleted every third step,")
	fmt.Fprintln(out, "# until 1 500 steps and a split are past (the split drops the tombstones); then clear")
	t := newTracer(0)
	rng := xorshift(0x2545f4914f6cdd1d)
	// Growth past the first split, a delete every third step.
	next := int64(1000)
	var live []int64
	for i := 0; t.h.dirLen < 2 || i < 1500; i++ {
		if i%3 == 2 && len(live) > 0 {
			j := rng.next(len(live))
			t.delete(live[j])
			live[j] = live[len(live)-1]
			live = live[:len(live)-1]
		} else {
			t.assign(next, false)
			live = append(live, next)
			next++
		}
		if i%500 == 499 {
			t.ctrl()
		}
	}
	t.ctrl()
	t.clear()
	t.ctrl()
	t.check()
}
