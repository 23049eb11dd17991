out: s "bd(3,8"
