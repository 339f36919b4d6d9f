// Spawn N goroutines that each call wg.Done(), wait; the same program as
// gosched's examples/spawn.rs. Prints goroutines=N ns_per_goroutine=X.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	t := time.Now()
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go wg.Done()
	}
	wg.Wait()
	fmt.Printf("goroutines=%d ns_per_goroutine=%.0f\n", n, float64(time.Since(t).Nanoseconds())/float64(n))
}
