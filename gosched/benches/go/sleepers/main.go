// N goroutines each sleep a random 0-10 ms; how late they wake. The same
// program as gosched's examples/sleepers.rs. Prints sleepers=N
// p50_us=X p99_us=Y max_us=Z (lateness: time asleep less time asked for).
package main

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	late := make([]time.Duration, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		d := time.Duration(rand.Int63n(int64(10 * time.Millisecond)))
		go func(i int) {
			t := time.Now()
			time.Sleep(d)
			late[i] = time.Since(t) - d
			wg.Done()
		}(i)
	}
	wg.Wait()
	sort.Slice(late, func(a, b int) bool { return late[a] < late[b] })
	fmt.Printf("sleepers=%d p50_us=%d p99_us=%d max_us=%d\n", n,
		late[n/2].Microseconds(), late[n*99/100].Microseconds(), late[n-1].Microseconds())
}
