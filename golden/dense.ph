bpm: 240
~x: saw 220 # lpf "<400 900 1500>" 2
out: s "~x*16" # note "<c4'dom7 e4'min7>" # gain "1 0.5 0.25"
