~a: ~b + sine 1
~b: ~c
~c: ~a
out: ~a
