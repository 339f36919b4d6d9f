// mapbench: real Go's classic map (run it with Go 1.19..1.23) on the same
// u64 keys as gomap's benches (benches/map.rs), for the "real Go" line in
// gomap/README.md:
//
//	/usr/lib/go-1.19/bin/go run gomap/benches/go/mapbench.go
//
// Prints, per N, the median ns per key of repeated runs: insert N fresh
// keys into an empty map, look all of them up (hit), look up N absent keys
// (miss).
package main

import (
	"fmt"
	"sort"
	"time"
)

func keys(n int, salt uint64) []uint64 {
	k := make([]uint64, n)
	for i := range k {
		k[i] = (uint64(i) ^ salt) * 0x9E3779B97F4A7C15
	}
	return k
}

var sink int

func med(v []float64) float64 { sort.Float64s(v); return v[len(v)/2] }

// lookups looks up every key and returns ns per lookup; the sum of what
// it finds goes to sink so the loop is not optimised away.
func lookups(m map[uint64]uint64, keys []uint64) float64 {
	t := time.Now()
	var s uint64
	for _, k := range keys {
		if v, ok := m[k]; ok {
			s += v
		} else {
			s++
		}
	}
	ns := float64(time.Since(t).Nanoseconds()) / float64(len(keys))
	sink += int(s)
	return ns
}

func main() {
	for _, n := range []int{1000, 100000, 1000000} {
		reps := 2001
		if n >= 100000 {
			reps = 31
		}
		if n >= 1000000 {
			reps = 7
		}
		ks := keys(n, 1)
		ms := keys(n, 0xdeadbeef)
		var ins, hit, miss []float64
		for r := 0; r < reps; r++ {
			t := time.Now()
			m := make(map[uint64]uint64)
			for i, k := range ks {
				m[k] = uint64(i)
			}
			ins = append(ins, float64(time.Since(t).Nanoseconds())/float64(n))
			hit = append(hit, lookups(m, ks))
			miss = append(miss, lookups(m, ms))
			sink += len(m)
		}
		fmt.Printf("n=%8d insert %6.1f hit %5.1f miss %5.1f\n", n, med(ins), med(hit), med(miss))
	}
}
