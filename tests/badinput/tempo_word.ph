bpm: fast
out: sine
