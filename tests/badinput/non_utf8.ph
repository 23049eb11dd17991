out: s "bd ÿş sn"
