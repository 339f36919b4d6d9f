// gen prints golden data for goctx's Go-format tests (goctx/src/gofmt.rs):
// time.Duration.String of many durations, and time.Time.String in UTC of
// many instants (no monotonic reading), one per line:
//
//	d <nanoseconds> <Duration.String()>
//	t <unix nanoseconds> <Time.String()>
//
// Run from this directory: go run . > ../gofmt.txt
package main

import (
	"fmt"
	"math"
	"time"
)

func main() {
	durations := []int64{
		0, 1, -1, 9, 999, 1000, 1001, 1500, 1100, 999999, 1000000, 1500000,
		2200000, 999999999, 1000000000, 1500000000, 3300000000, 59999999999,
		60000000000, 61000000000, 245000000000, 245001000000, 3599999999999,
		3600000000000, 3661001000000, 18367001000000, 480000000001,
		math.MaxInt64, math.MinInt64, -1100, -2200000, -3600000000000,
	}
	// Deterministic spread over every magnitude.
	x := uint64(0x9e3779b97f4a7c15)
	for i := 0; i < 200; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		d := int64(x >> (1 + x%63))
		if i%3 == 0 {
			d = -d
		}
		durations = append(durations, d)
	}
	for _, d := range durations {
		fmt.Printf("d %d %s\n", d, time.Duration(d).String())
	}

	instants := []int64{
		0, 1, 999999999, 1000000000, 951782400000000000, // 2000-02-29
		4107542400000000000, // 2100-03-01
		-1, -86400000000000, -62135596800000000000 / 1000, 1700000000123456789,
		1700000000120000000, 1700000000100000000, 253402300799999999999 / 1000,
	}
	for i := 0; i < 100; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		instants = append(instants, int64(x%(1<<62))-(1<<61))
	}
	for _, t := range instants {
		fmt.Printf("t %d %s\n", t, time.Unix(0, t).UTC().String())
	}
}
