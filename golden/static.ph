-- static: static buses only (no pattern input, no noise inside any bus), so a
-- bus buffer depends on its length and pitch alone and the static strategy may
-- keep it across cycles. Pitch comes from the triggers (# note), not the buses.
-- An LFO inside a bus is static too (~wob: it starts from phase 0 every hit).
bpm: 132
~kick: sine 55 + sine 54.8
~pad: saw 220 + saw 220.7 # lpf 1400 1.5
~wob: square 110 * (sine 3 * 0.5 + 0.5) # lpf 900
o1: s "~kick*4" # gain 0.8
o2: s "~pad(3,8)" # note "<0 5 7 3>" # gain 0.3
o3: s "[~wob ~wob]*2 ~ ~wob" # note "0 12 7" # gain 0.4
