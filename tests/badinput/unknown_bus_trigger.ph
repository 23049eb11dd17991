out: s "bd ~nope"
