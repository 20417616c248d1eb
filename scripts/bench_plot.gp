# Lease latency, log scale: baseline (separate processes) vs daemon vs floor.
set terminal pngcairo size 900,500 noenhanced
set output outfile
set title "One lease: median and p99 (ms, log scale)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "ms"
set grid ytics
set key top right
plot datafile using 2:xtic(1) title "median", '' using 3 title "p99"
