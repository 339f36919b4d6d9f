module gomap/golden/gen_swiss

go 1.24
