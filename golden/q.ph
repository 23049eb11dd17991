-- q: the seed's program (q.ph of the Phase 1 and Phase 2 documents).
-- A pattern-modulated bus (~x: the lpf cutoff is a pattern sped up by another
-- pattern) triggered at seven Euclidean onsets per cycle, echoed by stut, as
-- four-tone chords, through a delay and a long reverb; two drum lines beside it.
-- Catches: canary-stale (~x differs at every onset), canary-key (chord tones of
-- one onset), canary-order (stut echoes and chord tones overlap at different gains).
bpm: 120
~x: saw 440 # lpf ("800 <300 500 200 999>" $ fast "<3 19 3 3 2 8 9>")
o1: s "~x(7,17)" $ stut 3 0.25 0.1 # note "c4'min7 f3'min7" # delay 0.334 0.3 # reverb 0.9 0.99
o2: s "bd(4,17)"
o3: s "808lt(4,17,2)"
