out: ~nope
