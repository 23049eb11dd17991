-- reload_a: the first program of the reload scenario (reload_b replaces it at
-- cycle 3). ~lead is static here: sine at 330 Hz.
bpm: 120
~lead: sine 330 * 0.5
~pad: tri 110 # lpf "600 1200"
o1: s "~lead*4" # note "<0 7>"
o2: s "~pad/2"
o3: s "hh*8" # gain 0.3
