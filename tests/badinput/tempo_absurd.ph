cps: 100000
out: sine
