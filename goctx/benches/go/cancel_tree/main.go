// cancel_tree: the Go twin of goctx's `cancel_tree` example. A cancellable
// root and N children of it made with WithCancel, every child's Done()
// taken once, the root canceled, and every child's Done() received from.
//
//	go build -o cancel_tree . && ./cancel_tree 1000000
//
// prints exactly one line, `contexts=N ns_per_context=X` (X: the whole
// time over N).
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		var err error
		if n, err = strconv.Atoi(os.Args[1]); err != nil {
			fmt.Fprintln(os.Stderr, "N: a number of contexts")
			os.Exit(2)
		}
	}
	start := time.Now()
	root, cancel := context.WithCancel(context.Background())
	dones := make([]<-chan struct{}, n)
	for i := range dones {
		c, _ := context.WithCancel(root) // canceled with the root
		dones[i] = c.Done()
	}
	cancel()
	for _, d := range dones {
		<-d
	}
	elapsed := time.Since(start)
	fmt.Printf("contexts=%d ns_per_context=%.1f\n", n, float64(elapsed.Nanoseconds())/float64(n))
}
