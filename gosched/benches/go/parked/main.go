// N goroutines parked on one gate; resident memory per goroutine while they
// wait. The same program as gosched's examples/parked.rs.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

func rss() int64 {
	b, _ := os.ReadFile("/proc/self/statm")
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * 4096
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	gate := make(chan struct{})
	var parked, done sync.WaitGroup
	before := rss()
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
	for i := 0; i < 10; i++ {
		runtime.Gosched()
	}
	after := rss()
	close(gate)
	done.Wait()
	fmt.Printf("goroutines=%d rss_bytes_per_goroutine=%.0f\n", n, float64(after-before)/float64(n))
}
