out: s "bd sn
