-- reload_b: switched in by --reload-at 3:reload_b.ph. ~lead keeps its name, its
-- trigger pattern, its lengths and its pitches, but its definition changes (saw
-- through a filter). A cache keyed by name (canary-reload) keeps playing the old
-- sine after the switch.
bpm: 120
~lead: (saw 330 # lpf 1000) * 0.5
~pad: tri 110 # lpf "900 1800"
o1: s "~lead*4" # note "<0 7>"
o2: s "~pad/2"
o3: s "hh*8" # gain 0.3
