// A goroutine blocked for over a minute: its header says ", 1 minutes".
// Go stamps the wait start when a GC's mark phase finds the goroutine
// blocked (`waitsince`, with the previous cycle's start time: two GCs).
// Takes 62 s. gosched: src/report.rs tests.
package main

import (
	"os"
	"runtime"
	"time"
)

func main() {
	c := make(chan int)
	go func() {
		<-c
	}()
	time.Sleep(time.Second)
	runtime.GC()
	runtime.GC()
	time.Sleep(61 * time.Second)
	buf := make([]byte, 1<<16)
	os.Stdout.Write(buf[:runtime.Stack(buf, true)])
}
