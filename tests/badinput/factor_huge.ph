out: s "bd*2000000"
