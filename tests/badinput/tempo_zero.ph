bpm: 0
out: sine
