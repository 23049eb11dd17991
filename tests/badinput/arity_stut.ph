out: s "bd" $ stut 3
