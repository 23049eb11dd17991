# live_period_ahead: drawn by busbench report from reports/live/sweep3.json; run from the report folder: gnuplot data/live_period_ahead.gp
set encoding utf8
set datafile missing "NaN"
set terminal pngcairo size 1000,800 noenhanced font "sans,10" background rgb "white"
set output "live_period_ahead.png.tmp.26967"
set multiplot layout 2,1 title "live sweep, ahead mode (filled: glitch-free)"
set lmargin at screen 0.09
set rmargin at screen 0.70
set logscale x 2
set xrange [42.6667:192]
set grid
set key outside right top
set xlabel "period (frames)"
set ylabel "glitches"
set yrange [-0.5:4.9]
plot "data/live_period_ahead.dat" index 0 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#000000" dt 1 title "serial, 1 thread", \
  "data/live_period_ahead.dat" index 1 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#000000" dt 2 title "serial, 2 threads", \
  "data/live_period_ahead.dat" index 2 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#1f77b4" dt 1 title "parallel, 1 thread", \
  "data/live_period_ahead.dat" index 3 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#1f77b4" dt 2 title "parallel, 2 threads", \
  "data/live_period_ahead.dat" index 4 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#ff7f0e" dt 1 title "cycle, 1 thread", \
  "data/live_period_ahead.dat" index 5 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#ff7f0e" dt 2 title "cycle, 2 threads", \
  "data/live_period_ahead.dat" index 6 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#2ca02c" dt 1 title "static, 1 thread", \
  "data/live_period_ahead.dat" index 7 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#2ca02c" dt 2 title "static, 2 threads", \
  "data/live_period_ahead.dat" index 8 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#d62728" dt 1 title "pool, 1 thread", \
  "data/live_period_ahead.dat" index 9 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#d62728" dt 2 title "pool, 2 threads", \
  "data/live_period_ahead.dat" index 10 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#9467bd" dt 1 title "batch, 1 thread", \
  "data/live_period_ahead.dat" index 11 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#9467bd" dt 2 title "batch, 2 threads", \
  "data/live_period_ahead.dat" index 12 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#e377c2" dt 1 title "all, 1 thread", \
  "data/live_period_ahead.dat" index 13 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#e377c2" dt 2 title "all, 2 threads", \
  "data/live_period_ahead.dat" index 14 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#8c564b" dt 1 title "lanes, 1 thread", \
  "data/live_period_ahead.dat" index 15 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#8c564b" dt 2 title "lanes, 2 threads"
set ylabel "callback p99.9 (us)"
set logscale y
set yrange [*:*]
plot x * 1e6 / 44100 with lines lc rgb "#666666" dt 3 title "the period at 44100 Hz (the deadline)", \
  "data/live_period_ahead.dat" index 0 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#000000" dt 1 notitle, \
  "data/live_period_ahead.dat" index 1 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#000000" dt 2 notitle, \
  "data/live_period_ahead.dat" index 2 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#1f77b4" dt 1 notitle, \
  "data/live_period_ahead.dat" index 3 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#1f77b4" dt 2 notitle, \
  "data/live_period_ahead.dat" index 4 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#ff7f0e" dt 1 notitle, \
  "data/live_period_ahead.dat" index 5 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#ff7f0e" dt 2 notitle, \
  "data/live_period_ahead.dat" index 6 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#2ca02c" dt 1 notitle, \
  "data/live_period_ahead.dat" index 7 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#2ca02c" dt 2 notitle, \
  "data/live_period_ahead.dat" index 8 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#d62728" dt 1 notitle, \
  "data/live_period_ahead.dat" index 9 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#d62728" dt 2 notitle, \
  "data/live_period_ahead.dat" index 10 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#9467bd" dt 1 notitle, \
  "data/live_period_ahead.dat" index 11 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#9467bd" dt 2 notitle, \
  "data/live_period_ahead.dat" index 12 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#e377c2" dt 1 notitle, \
  "data/live_period_ahead.dat" index 13 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#e377c2" dt 2 notitle, \
  "data/live_period_ahead.dat" index 14 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#8c564b" dt 1 notitle, \
  "data/live_period_ahead.dat" index 15 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#8c564b" dt 2 notitle
unset multiplot

unset output
set terminal svg size 1000,800 noenhanced font "sans,11" background rgb "white"
set output "live_period_ahead.svg.tmp.26967"
set multiplot layout 2,1 title "live sweep, ahead mode (filled: glitch-free)"
set lmargin at screen 0.09
set rmargin at screen 0.70
set logscale x 2
set xrange [42.6667:192]
set grid
set key outside right top
set xlabel "period (frames)"
set ylabel "glitches"
set yrange [-0.5:4.9]
plot "data/live_period_ahead.dat" index 0 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#000000" dt 1 title "serial, 1 thread", \
  "data/live_period_ahead.dat" index 1 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#000000" dt 2 title "serial, 2 threads", \
  "data/live_period_ahead.dat" index 2 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#1f77b4" dt 1 title "parallel, 1 thread", \
  "data/live_period_ahead.dat" index 3 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#1f77b4" dt 2 title "parallel, 2 threads", \
  "data/live_period_ahead.dat" index 4 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#ff7f0e" dt 1 title "cycle, 1 thread", \
  "data/live_period_ahead.dat" index 5 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#ff7f0e" dt 2 title "cycle, 2 threads", \
  "data/live_period_ahead.dat" index 6 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#2ca02c" dt 1 title "static, 1 thread", \
  "data/live_period_ahead.dat" index 7 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#2ca02c" dt 2 title "static, 2 threads", \
  "data/live_period_ahead.dat" index 8 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#d62728" dt 1 title "pool, 1 thread", \
  "data/live_period_ahead.dat" index 9 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#d62728" dt 2 title "pool, 2 threads", \
  "data/live_period_ahead.dat" index 10 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#9467bd" dt 1 title "batch, 1 thread", \
  "data/live_period_ahead.dat" index 11 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#9467bd" dt 2 title "batch, 2 threads", \
  "data/live_period_ahead.dat" index 12 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#e377c2" dt 1 title "all, 1 thread", \
  "data/live_period_ahead.dat" index 13 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#e377c2" dt 2 title "all, 2 threads", \
  "data/live_period_ahead.dat" index 14 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#8c564b" dt 1 title "lanes, 1 thread", \
  "data/live_period_ahead.dat" index 15 using 1:4:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#8c564b" dt 2 title "lanes, 2 threads"
set ylabel "callback p99.9 (us)"
set logscale y
set yrange [*:*]
plot x * 1e6 / 44100 with lines lc rgb "#666666" dt 3 title "the period at 44100 Hz (the deadline)", \
  "data/live_period_ahead.dat" index 0 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#000000" dt 1 notitle, \
  "data/live_period_ahead.dat" index 1 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#000000" dt 2 notitle, \
  "data/live_period_ahead.dat" index 2 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#1f77b4" dt 1 notitle, \
  "data/live_period_ahead.dat" index 3 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#1f77b4" dt 2 notitle, \
  "data/live_period_ahead.dat" index 4 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#ff7f0e" dt 1 notitle, \
  "data/live_period_ahead.dat" index 5 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#ff7f0e" dt 2 notitle, \
  "data/live_period_ahead.dat" index 6 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#2ca02c" dt 1 notitle, \
  "data/live_period_ahead.dat" index 7 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#2ca02c" dt 2 notitle, \
  "data/live_period_ahead.dat" index 8 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#d62728" dt 1 notitle, \
  "data/live_period_ahead.dat" index 9 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#d62728" dt 2 notitle, \
  "data/live_period_ahead.dat" index 10 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#9467bd" dt 1 notitle, \
  "data/live_period_ahead.dat" index 11 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#9467bd" dt 2 notitle, \
  "data/live_period_ahead.dat" index 12 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#e377c2" dt 1 notitle, \
  "data/live_period_ahead.dat" index 13 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#e377c2" dt 2 notitle, \
  "data/live_period_ahead.dat" index 14 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#8c564b" dt 1 notitle, \
  "data/live_period_ahead.dat" index 15 using 1:5:($6 > 0 ? 7 : 6) with linespoints pt variable ps 1.3 lw 1.5 lc rgb "#8c564b" dt 2 notitle
unset multiplot

unset output
