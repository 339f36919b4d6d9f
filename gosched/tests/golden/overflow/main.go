// A goroutine overflows a 64 KiB stack limit: Go's stack overflow report,
// exit status 2. gosched: tests/overflow.rs `child_overflow`.
package main

import (
	"runtime/debug"
	"sync"
)

func recurse(n int) int {
	var buf [64]int
	buf[n%64] = n
	return recurse(n+1) + buf[(n+1)%64]
}

func main() {
	debug.SetMaxStack(64 * 1024)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		recurse(0)
		wg.Done()
	}()
	wg.Wait()
}
