out: s "bd*1.2.3"
