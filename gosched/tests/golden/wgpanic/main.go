// Go 1.25's WaitGroup.Go with a panicking f: Done is not called, so Wait
// never returns; the panic is re-raised ("[recovered, repanicked]") and
// ends the program with status 2 (golang/go#76126).
// gosched: tests/failures.rs `child_waitgroup_go_panic`.
package main

import (
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	wg.Go(func() {
		panic("boom in goroutine")
	})
	wg.Wait()
	println("Wait returned")
	time.Sleep(5 * time.Second)
}
