// Go 1.27's runtime TestPingPongHog (runtime/proc_test.go) as a program
// that prints the two pairs' counts and their ratio instead of asserting
// it: two goroutines ping-pong on an unbuffered channel doing 1e6
// increments per round (the hog pair) while a second pair does the same
// with 1e4 (the light pair). GOMAXPROCS comes from the first argument
// (default 1, as in the test). The same program as gosched's
// examples/pingponghog.rs; the test keeps hog/light within 20x.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

func main() {
	procs := 1
	if len(os.Args) > 1 {
		procs, _ = strconv.Atoi(os.Args[1])
	}
	runtime.GOMAXPROCS(procs)
	done := make(chan bool)
	hogChan, lightChan := make(chan bool), make(chan bool)
	hogCount, lightCount := 0, 0

	run := func(limit int, counter *int, wake chan bool) {
		for {
			select {
			case <-done:
				return

			case <-wake:
				for i := 0; i < limit; i++ {
					*counter++
				}
				wake <- true
			}
		}
	}

	// Start two co-scheduled hog goroutines.
	for i := 0; i < 2; i++ {
		go run(1e6, &hogCount, hogChan)
	}

	// Start two co-scheduled light goroutines.
	for i := 0; i < 2; i++ {
		go run(1e4, &lightCount, lightChan)
	}

	// Start goroutine pairs and wait for a few preemption rounds.
	hogChan <- true
	lightChan <- true
	time.Sleep(100 * time.Millisecond)
	close(done)

	fmt.Printf("GOMAXPROCS=%d hog=%d light=%d hog/light=%.2f\n",
		procs, hogCount, lightCount, float64(hogCount)/float64(lightCount))
}
