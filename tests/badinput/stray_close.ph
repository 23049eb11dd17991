out: s "bd ] sn"
