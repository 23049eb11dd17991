out: s "bd" $ stut 1000 0.125 0.5
