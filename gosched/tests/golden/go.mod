module gosched_golden

go 1.27
