out: foo 3
