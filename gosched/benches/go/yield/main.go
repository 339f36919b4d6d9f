// With GOMAXPROCS=1, two goroutines alternate through runtime.Gosched N
// times. The same program as gosched's examples/yield.rs.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(1)
	var wg sync.WaitGroup
	t := time.Now()
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n/2; i++ {
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	fmt.Printf("switches=%d ns_per_switch=%.0f\n", n, float64(time.Since(t).Nanoseconds())/float64(n))
}
