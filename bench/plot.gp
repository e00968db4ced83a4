# Page latency against depth: the extension, the hand-written floor and OFFSET.
# gnuplot -e "depth_csv='…'; out='…'; rows=N" bench/plot.gp
set terminal pngcairo size 900,540 font ",11" noenhanced
set output out
set datafile separator ","
set key top left
set title sprintf("customers.query: page of 50, NAME ASC, status filter, %d customers, 2 clients", rows)
set xlabel "depth (rows before the page)"
set ylabel "median latency (ms, log scale)"
set logscale y
set format x "%.0s%c"
set grid
plot depth_csv using 1:2 skip 1 with linespoints lw 2 title "customers.query", \
     depth_csv using 1:3 skip 1 with linespoints lw 2 title "floor: keyset + json_agg", \
     depth_csv using 1:4 skip 1 with linespoints lw 2 title "OFFSET"
