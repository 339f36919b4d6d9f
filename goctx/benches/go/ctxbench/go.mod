module ctxbench

go 1.27
