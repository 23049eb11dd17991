~a: s "~b"
~b: s "~a"
