// binarytrees: the Computer Language Benchmarks Game's binary-trees, the
// plain single-goroutine program (one mutator; Go's collector is free to use
// the other core). The twin of gogc/examples/binarytrees.rs: the same lines,
// then `depth=N ms=T`.
//
//	go run binarytrees.go 21
//	GODEBUG=gctrace=1 go run binarytrees.go 18
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

type Node struct {
	left, right *Node
}

const minDepth = 4

func createTree(depth int) *Node {
	node := &Node{}
	if depth > 0 {
		node.left = createTree(depth - 1)
		node.right = createTree(depth - 1)
	}
	return node
}

func (n *Node) check() int {
	if n.left == nil {
		return 1
	}
	return 1 + n.left.check() + n.right.check()
}

func main() {
	n := 10
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	start := time.Now()
	maxDepth := max(minDepth+2, n)

	stretchDepth := maxDepth + 1
	fmt.Printf("stretch tree of depth %d\t check: %d\n", stretchDepth, createTree(stretchDepth).check())

	longLived := createTree(maxDepth)
	for depth := minDepth; depth <= maxDepth; depth += 2 {
		iterations := 1 << (maxDepth - depth + minDepth)
		check := 0
		for i := 0; i < iterations; i++ {
			check += createTree(depth).check()
		}
		fmt.Printf("%d\t trees of depth %d\t check: %d\n", iterations, depth, check)
	}
	fmt.Printf("long lived tree of depth %d\t check: %d\n", maxDepth, longLived.check())
	fmt.Printf("depth=%d ms=%d\n", n, time.Since(start).Milliseconds())
}
