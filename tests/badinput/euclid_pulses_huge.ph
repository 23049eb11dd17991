out: s "bd(5000,8)"
