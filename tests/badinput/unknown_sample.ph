out: s "bd nosuch"
