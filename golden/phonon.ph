-- phonon: the Phonon-style program, with no output statement: the output is the
-- sum of the buses nothing else references (~d1, ~d2, ~d3; ~synth is referenced
-- from ~d3's pattern). Kit samples chosen by n, a patterned Euclid rotation, and a
-- static bus (~synth) played as alternating min7 chords.
bpm: 120
~synth $ saw # lpf 800
~d1 $ s "808bd(4,17)" # n 3 # gain 1
~d2 $ s "808ht(4,17,<2 3 1 2>)"
~d3 $ s "~synth(3,17,1)" # note "<c'min7 g'min7>"
