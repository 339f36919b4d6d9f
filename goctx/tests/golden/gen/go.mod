module goctxgolden

go 1.27
