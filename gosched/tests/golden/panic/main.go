// A goroutine panics: Go's panic report, exit status 2.
// gosched: tests/failures.rs `child_panic`.
package main

import "time"

func main() {
	go func() {
		panic("boom in goroutine")
	}()
	time.Sleep(5 * time.Second)
}
