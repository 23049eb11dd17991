out: lpf 800
