-- The q-like workload of the core benchmark: a static bus, seven hits a cycle,
-- two four-note chords. Used by make bench-core and make bench-strategies.
bpm: 120
~x: saw # lpf 800 0.7071
out: s "~x(7,17)" # note "c4'min7 f3'min7"
