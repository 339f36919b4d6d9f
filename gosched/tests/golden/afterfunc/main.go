// An AfterFunc callback panics: it runs in a goroutine of its own,
// created by the timer (no "in goroutine N"), exit status 2.
// gosched: tests/failures.rs
// `a_panicking_after_func_callback_fails_run_like_a_goroutine`.
package main

import "time"

func main() {
	time.AfterFunc(time.Millisecond, func() {
		panic("tick failed")
	})
	time.Sleep(5 * time.Second)
}
