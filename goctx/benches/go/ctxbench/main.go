// ctxbench: the shapes of Go's context/benchmark_test.go (Go 1.27), timed
// by themselves, so goctx's criterion benches (goctx/benches/ctx.rs) can
// put Go's own context beside goctx in each group.
//
// Usage:
//
//	go build -o ctxbench .
//	./ctxbench SHAPE PARAM ITERS   # prints the nanoseconds ITERS operations took
//
// Shapes (PARAM in brackets, 0 where unused): ErrOK, ErrCanceled,
// CheckCanceledErr, CheckCanceledDone, ContextCancelDone (parallel),
// CommonParentCancel (parallel), WithTimeout [concurrency] (parallel),
// CancelTreeBackground, CancelTreeOpen, CancelTreeClosed [depth],
// DeepValueSameGoRoutine, DeepValueNewGoRoutine [depth], CancelTreeN [n].
// Parallel shapes split ITERS over GOMAXPROCS goroutines, as
// testing.B.RunParallel does; setup is not timed, as b.ResetTimer does.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// parallel runs body(n) on GOMAXPROCS goroutines sharing iters, and
// returns the wall time.
func parallel(iters int, body func(n int)) time.Duration {
	procs := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	start := time.Now()
	for p := 0; p < procs; p++ {
		n := iters / procs
		if p < iters%procs {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			body(n)
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func buildContextTree(root context.Context, depth int) {
	for d := 0; d < depth; d++ {
		root, _ = context.WithCancel(root)
	}
}

var sink any

func run(shape string, param, iters int) time.Duration {
	bg := context.Background()
	switch shape {
	case "ErrOK":
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		start := time.Now()
		for i := 0; i < iters; i++ {
			if ctx.Err() != nil {
				panic("ctx.Err() != nil")
			}
		}
		return time.Since(start)
	case "ErrCanceled", "CheckCanceledErr":
		ctx, cancel := context.WithCancel(bg)
		cancel()
		start := time.Now()
		for i := 0; i < iters; i++ {
			if ctx.Err() == nil {
				panic("ctx.Err() == nil")
			}
		}
		return time.Since(start)
	case "CheckCanceledDone":
		ctx, cancel := context.WithCancel(bg)
		cancel()
		start := time.Now()
		for i := 0; i < iters; i++ {
			select {
			case <-ctx.Done():
			default:
			}
		}
		return time.Since(start)
	case "ContextCancelDone":
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		return parallel(iters, func(n int) {
			for i := 0; i < n; i++ {
				select {
				case <-ctx.Done():
				default:
				}
			}
		})
	case "CommonParentCancel":
		root := context.WithValue(bg, "key", "value")
		shared, sharedcancel := context.WithCancel(root)
		defer sharedcancel()
		return parallel(iters, func(n int) {
			x := 0
			for i := 0; i < n; i++ {
				ctx, cancel := context.WithCancel(shared)
				if ctx.Value("key").(string) != "value" {
					panic("should not be reached")
				}
				for i := 0; i < 100; i++ {
					x /= x + 1
				}
				cancel()
				for i := 0; i < 100; i++ {
					x /= x + 1
				}
			}
			sink = x
		})
	case "WithTimeout":
		procs := runtime.GOMAXPROCS(0)
		perP := param / procs
		var cfs []context.CancelFunc
		for i := 0; i < perP*procs; i++ {
			_, cf := context.WithTimeout(bg, time.Hour)
			cfs = append(cfs, cf)
		}
		d := parallel(iters, func(n int) {
			wcf := make([]context.CancelFunc, 10)
			for i := 0; i < n; i++ {
				for j := range wcf {
					_, wcf[j] = context.WithTimeout(bg, time.Hour)
				}
				for _, f := range wcf {
					f()
				}
			}
		})
		for _, f := range cfs {
			f()
		}
		return d
	case "CancelTreeBackground":
		start := time.Now()
		for i := 0; i < iters; i++ {
			buildContextTree(bg, param)
		}
		return time.Since(start)
	case "CancelTreeOpen":
		start := time.Now()
		for i := 0; i < iters; i++ {
			ctx, cancel := context.WithCancel(bg)
			buildContextTree(ctx, param)
			cancel()
		}
		return time.Since(start)
	case "CancelTreeClosed":
		start := time.Now()
		for i := 0; i < iters; i++ {
			ctx, cancel := context.WithCancel(bg)
			cancel()
			buildContextTree(ctx, param)
		}
		return time.Since(start)
	case "DeepValueSameGoRoutine", "DeepValueNewGoRoutine":
		ctx := bg
		for i := 0; i < param; i++ {
			ctx = context.WithValue(ctx, i, i)
		}
		start := time.Now()
		for i := 0; i < iters; i++ {
			if shape == "DeepValueSameGoRoutine" {
				sink = ctx.Value(-1)
				continue
			}
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				sink = ctx.Value(-1)
			}()
			wg.Wait()
		}
		return time.Since(start)
	case "CancelTreeN":
		start := time.Now()
		for i := 0; i < iters; i++ {
			root, cancel := context.WithCancel(bg)
			dones := make([]<-chan struct{}, param)
			for j := range dones {
				c, _ := context.WithCancel(root)
				dones[j] = c.Done()
			}
			cancel()
			for _, d := range dones {
				<-d
			}
		}
		return time.Since(start)
	}
	fmt.Fprintf(os.Stderr, "unknown shape %q\n", shape)
	os.Exit(2)
	return 0
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: ctxbench SHAPE PARAM ITERS")
		os.Exit(2)
	}
	param, err1 := strconv.Atoi(os.Args[2])
	iters, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "PARAM and ITERS are numbers")
		os.Exit(2)
	}
	fmt.Println(run(os.Args[1], param, iters).Nanoseconds())
}
