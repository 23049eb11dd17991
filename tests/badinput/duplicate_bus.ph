~a: saw
~a: sine
out: ~a
