-- found by fuzz_render: 44100 / 0.123901263874590123 samples per cycle does not fit 64-bit fractions (it divided by zero)
tempo: 0.123901263874590123
out: sine
