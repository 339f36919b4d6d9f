module addr

go 1.18
