out: sine 1 2 3
