// N goroutines alive at once, all blocked on one channel, then released by
// closing it: Go's classic demonstration. The same program as gosched's
// examples/alive.rs. Prints goroutines=N spawn_park_ms=X release_ms=Y
// rss_bytes_per_goroutine=Z.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

func rss() int64 {
	b, _ := os.ReadFile("/proc/self/statm")
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * 4096
}

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	gate := make(chan struct{})
	var parked, done sync.WaitGroup
	before := rss()
	t := time.Now()
	parked.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			parked.Done()
			<-gate
			done.Done()
		}()
	}
	parked.Wait()
	spawnPark := time.Since(t)
	after := rss()
	t = time.Now()
	close(gate)
	done.Wait()
	release := time.Since(t)
	fmt.Printf("goroutines=%d spawn_park_ms=%d release_ms=%d rss_bytes_per_goroutine=%.0f\n",
		n, spawnPark.Milliseconds(), release.Milliseconds(), float64(after-before)/float64(n))
}
