-- samples: the built-in kit played with n (variant) and note (pitch, linear
-- interpolation), with gains, elongation, alternation and ':' variants.
bpm: 124
o1: s "bd*4 [sn cp]" # n "<0 1 2 3>"
o2: s "hh*8" # note "0 12 7 -5" # gain "1 0.6"
o3: s "808bd:2 808sd 808mt 808lt" # note "<0 3 -2>"
o4: s "oh(3,8,2) [808ht 808ht:1]" # n "1 2" # note "-7 5"
