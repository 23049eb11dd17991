out: s "bd" # delay 0 0.3
