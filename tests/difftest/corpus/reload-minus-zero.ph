tempo: 1
~b0 $ 1
