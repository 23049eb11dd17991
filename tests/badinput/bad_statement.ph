bpm: 120
xyz: sine
