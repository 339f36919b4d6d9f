// An AfterFunc callback that blocks does not hold up other timers: it runs
// in a goroutine of its own. gosched: tests/timers.rs
// `a_blocking_after_func_callback_does_not_stop_other_timers`.
package main

import (
	"fmt"
	"time"
)

func main() {
	time.AfterFunc(time.Millisecond, func() {
		time.Sleep(time.Hour)
	})
	time.Sleep(10 * time.Millisecond)
	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	fmt.Println("main's 50ms sleep returned:", time.Since(start) < time.Second)
}
