-- noise: noise buses. Every hit of a noise bus is seeded from (bus, onset
-- sample), so every hit differs and every run repeats; a strategy that reuses a
-- noise buffer across onsets (canary-stale) is caught at the second hit. Also a
-- noise source outside any bus (seeded by its place in the program).
bpm: 140
~hat: noise # hpf 7000 2
~snare: (noise # bpf 1800 0.8) + tri 190 * 0.5
~wash: noise # lpf "300 600 1200 2400" 3
o1: s "~hat*8" # gain "0.5 0.25"
o2: s "~ ~snare ~ [~snare ~snare]" # gain 0.6
o3: s "~wash/2" # gain 0.2
o4: (noise # hpf 9000) * 0.02
