// chanbench: the shapes of gochan's criterion benches (crossbeam-channel's
// benchmarks/go.go shapes: seq, spsc, mpsc, mpmc, select_rx, select_both;
// capacity 0, 1 and N) plus pingpong and prodcons, in Go, so gochan on
// goroutines can be compared with Go's own channels.
//
// Usage:
//
//	go build -o chanbench chanbench.go
//	./chanbench SHAPE CAP ITERS   # prints the nanoseconds ITERS runs took
//	./chanbench table             # one line per shape: ns per message
//
// Each run moves MESSAGES messages, as in the Rust benches. GOMAXPROCS is
// Go's default (the number of CPUs) unless set in the environment.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

const MESSAGES = 20000
const THREADS = 4

func seq(cap int) {
	c := make(chan uintptr, cap)
	for i := 0; i < MESSAGES; i++ {
		c <- uintptr(i)
	}
	for i := 0; i < MESSAGES; i++ {
		<-c
	}
}

func spsc(cap int) {
	c := make(chan uintptr, cap)
	done := make(chan bool)
	go func() {
		for i := 0; i < MESSAGES; i++ {
			c <- uintptr(i)
		}
		done <- true
	}()
	for i := 0; i < MESSAGES; i++ {
		<-c
	}
	<-done
}

func mpsc(cap int) {
	c := make(chan uintptr, cap)
	var wg sync.WaitGroup
	for t := 0; t < THREADS; t++ {
		wg.Add(1)
		go func() {
			for i := 0; i < MESSAGES/THREADS; i++ {
				c <- uintptr(i)
			}
			wg.Done()
		}()
	}
	for i := 0; i < MESSAGES; i++ {
		<-c
	}
	wg.Wait()
}

func mpmc(cap int) {
	c := make(chan uintptr, cap)
	var wg sync.WaitGroup
	for t := 0; t < THREADS; t++ {
		wg.Add(2)
		go func() {
			for i := 0; i < MESSAGES/THREADS; i++ {
				c <- uintptr(i)
			}
			wg.Done()
		}()
		go func() {
			for i := 0; i < MESSAGES/THREADS; i++ {
				<-c
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

func selectRx(cap int) {
	c0, c1, c2, c3 := make(chan uintptr, cap), make(chan uintptr, cap), make(chan uintptr, cap), make(chan uintptr, cap)
	var wg sync.WaitGroup
	for _, c := range []chan uintptr{c0, c1, c2, c3} {
		wg.Add(1)
		go func(c chan uintptr) {
			for i := 0; i < MESSAGES/THREADS; i++ {
				c <- uintptr(i)
			}
			wg.Done()
		}(c)
	}
	for i := 0; i < MESSAGES; i++ {
		select {
		case <-c0:
		case <-c1:
		case <-c2:
		case <-c3:
		}
	}
	wg.Wait()
}

func selectBoth(cap int) {
	c0, c1, c2, c3 := make(chan uintptr, cap), make(chan uintptr, cap), make(chan uintptr, cap), make(chan uintptr, cap)
	var wg sync.WaitGroup
	for t := 0; t < THREADS; t++ {
		wg.Add(2)
		go func() {
			for i := 0; i < MESSAGES/THREADS; i++ {
				v := uintptr(i)
				select {
				case c0 <- v:
				case c1 <- v:
				case c2 <- v:
				case c3 <- v:
				}
			}
			wg.Done()
		}()
		go func() {
			for i := 0; i < MESSAGES/THREADS; i++ {
				select {
				case <-c0:
				case <-c1:
				case <-c2:
				case <-c3:
				}
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

// pingpong: MESSAGES round trips over two unbuffered channels.
func pingpong(int) {
	ping, pong := make(chan uintptr), make(chan uintptr)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	for i := 0; i < MESSAGES; i++ {
		ping <- uintptr(i)
		<-pong
	}
	close(ping)
}

// prodcons: one producer goroutine, one consumer goroutine.
func prodcons(cap int) {
	c := make(chan uintptr, cap)
	done := make(chan bool)
	go func() {
		for range c {
		}
		done <- true
	}()
	for i := 0; i < MESSAGES; i++ {
		c <- uintptr(i)
	}
	close(c)
	<-done
}

var shapes = map[string]func(int){
	"seq": seq, "spsc": spsc, "mpsc": mpsc, "mpmc": mpmc,
	"select_rx": selectRx, "select_both": selectBoth,
	"pingpong": pingpong, "prodcons": prodcons,
}

func timeIt(f func(int), cap, iters int) time.Duration {
	start := time.Now()
	for i := 0; i < iters; i++ {
		f(cap)
	}
	return time.Since(start)
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "table" {
		rows := []struct {
			shape string
			caps  []int
		}{
			{"seq", []int{MESSAGES}}, {"spsc", []int{0, 1, MESSAGES}}, {"mpsc", []int{0, 1, MESSAGES}},
			{"mpmc", []int{0, 1, MESSAGES}}, {"select_rx", []int{0, 1, MESSAGES}},
			{"select_both", []int{0, 1, MESSAGES}}, {"pingpong", []int{0}}, {"prodcons", []int{100}},
		}
		for _, r := range rows {
			for _, c := range r.caps {
				f := shapes[r.shape]
				timeIt(f, c, 5) // warm up
				iters := 50
				d := timeIt(f, c, iters)
				label := strconv.Itoa(c)
				if c == MESSAGES {
					label = "N"
				}
				fmt.Printf("go/%s/cap%s ns_per_message=%.1f\n", r.shape, label, float64(d.Nanoseconds())/float64(iters*MESSAGES))
			}
		}
		return
	}
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: chanbench SHAPE CAP ITERS | chanbench table")
		os.Exit(2)
	}
	f, ok := shapes[os.Args[1]]
	cap, err1 := strconv.Atoi(os.Args[2])
	iters, err2 := strconv.Atoi(os.Args[3])
	if !ok || err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "usage: chanbench SHAPE CAP ITERS | chanbench table")
		os.Exit(2)
	}
	fmt.Println(timeIt(f, cap, iters).Nanoseconds())
}
