# Backend memory per call against the call's input plus response (bench/memory.sh).
# gnuplot -e "memory_csv='…'; out='…'" bench/memory.gp
set terminal pngcairo size 900,540 font ",11" noenhanced
set output out
set datafile separator ","
set key top left
set title "backend memory per call (peak private memory grown) against input + response"
set xlabel "input + response (MB, log scale)"
set ylabel "memory grown (MB, log scale)"
set logscale xy
set grid
mb(x) = x / 1048576.0
size(i, r) = mb(i + r) < 0.001 ? 0.001 : mb(i + r)
grown(g) = mb(g) < 0.01 ? 0.01 : mb(g)
ok(c, v) = (strcol(1) eq c && strcol(7) eq "ok") ? v : NaN
plot memory_csv using (ok("query", size($3, $4))):(grown($5)) skip 1 with linespoints pt 7 lw 2 title "query, seed-shaped customers", \
     memory_csv using (ok("query_250kB", size($3, $4))):(grown($5)) skip 1 with linespoints pt 7 lw 2 title "query, 250 kB customers", \
     memory_csv using (ok("expand", size($3, $4))):(grown($5)) skip 1 with linespoints pt 7 lw 2 title "query, classSegments expanded", \
     memory_csv using (ok("save", size($3, $4))):(grown($5)) skip 1 with linespoints pt 7 lw 2 title "save, 1,000 items", \
     memory_csv using (ok("class_segments", size($3, $4))):(grown($5)) skip 1 with linespoints pt 7 lw 2 title "class_segments listing", \
     memory_csv using (ok("save_errors", size($3, $4))):(grown($5)) skip 1 with linespoints pt 7 lw 2 title "save, items of errors", \
     memory_csv using (ok("top", size($3, $4))):(grown($5)) skip 1 with linespoints pt 7 lw 2 title "payment methods list at 262,143 kB", \
     x * 2 with lines dt 2 lc rgb "gray" title "2 x (input + response)"
