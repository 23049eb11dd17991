out: s "bd" $ shuffle 4
