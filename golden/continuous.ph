-- continuous: outputs only, no triggers: oscillators and filters driven by
-- patterns (read at sample rate) and by LFOs, then delay and reverb. No bus
-- voice exists, so every strategy must agree on the stateful output graph alone,
-- at every block size.
bpm: 100
o1: (saw "110 165 <220 330 247.5>" # lpf (sine 0.25 * 900 + 1300) 4) * 0.3
o2: square "55 82.5" * (tri 0.5 * 0.1 + 0.1) # hpf 200 # delay 0.3 0.5 0.4
o3: sine ("440 660 550 880" + sine 5 * 6) * 0.1 # reverb 0.8 0.3 0.5
