// Every goroutine blocked: Go's deadlock report and dump, exit status 2.
// gosched: tests/failures.rs `child_deadlock`.
package main

import "sync"

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Wait()
	}()
	c := make(chan int)
	<-c
}
