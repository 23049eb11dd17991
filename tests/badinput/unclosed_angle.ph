out: s "bd <sn hh"
