out: s "bd!70000"
