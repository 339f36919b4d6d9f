// time.Sleep(math.MaxInt64) sleeps (for 292 years): it neither panics nor
// wakes. Its pending timer also keeps the deadlock detector quiet.
// gosched: tests/timers.rs `sleep_duration_max_sleeps_forever`.
package main

import (
	"fmt"
	"math"
	"time"
)

func main() {
	woke := make(chan bool, 1)
	go func() {
		time.Sleep(math.MaxInt64)
		woke <- true
	}()
	select {
	case <-woke:
		fmt.Println("the sleeper woke")
	case <-time.After(200 * time.Millisecond):
		fmt.Println("the sleeper still sleeps after 200ms")
	}
}
