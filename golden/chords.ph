-- chords: dense chords at a fast tempo. Sixteen dominant-seventh chords a cycle,
-- four tones each at gain 1/2: 64 voices a cycle, overlapping. canary-key (which
-- leaves the pitch out of the key) gives every tone the root's buffer;
-- canary-order sums the four overlapping tones in another order.
tempo: 1.5
~x: saw 110 + tri 220.5 * 0.5 # lpf 2200
o1: s "~x*16" # note "c4'dom7"
