// The main goroutine panics: no "created by" line for goroutine 1.
// gosched: tests/failures.rs `child_main_panic`.
package main

func main() {
	panic("boom in main")
}
