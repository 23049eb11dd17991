-- long: a render of over a minute (40 cycles at 133 bpm: 72.2 s, at 22050 Hz), where the
-- inspiring engine's single-precision trigger times drifted and re-fired events
-- on every sample. 133 bpm makes the samples per cycle a non-integer
-- (22050 * 240 / 133), so onsets rely on exact rational time to stay put.
-- Light on purpose: it runs under the whole verify matrix.
bpm: 133
~blip: sine 880 * 0.4 # lpf "<3000 1500 4000>"
o1: s "~blip(5,8,<0 2>)" # note "<0 3 7 5>"
o2: s "hh*16" # gain "0.3 0.15"
o3: s "808bd(3,8)"
