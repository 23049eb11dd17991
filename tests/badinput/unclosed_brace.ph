out: s "{bd sn}%4 {hh"
