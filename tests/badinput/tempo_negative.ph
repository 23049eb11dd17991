bpm: -120
out: sine
