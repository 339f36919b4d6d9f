module cancel_tree

go 1.27
