~b0: saw 220 # lpf "800 1500" "0.5 2 8"
out: s "~b0*4" # note "0 7"
