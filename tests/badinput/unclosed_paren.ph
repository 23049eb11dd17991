~x: saw 440 # lpf (800
out: s "~x"
