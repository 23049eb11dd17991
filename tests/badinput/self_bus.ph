~a: ~a * 2
out: ~a
