tempo: 0.0000001
out: sine
