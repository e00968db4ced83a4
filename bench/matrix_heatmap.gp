# The filter x sort matrix as heatmaps (bench/matrix.sh writes the input):
# one row per single-field case, one column per sort and page, four panels:
# the extension's p50 and p99, plain SQL's p50 and p99 (ms, log colour scale;
# a cell past MATRIX_TIMEOUT shows the timeout, a page never run is white).
# gnuplot -e "grid='…'; tics='…'; rows=N; out='…'; title='…'" bench/matrix_heatmap.gp
set terminal pngcairo size 1900, (rows * 9 + 330) font ",8" noenhanced
set output out
load tics
set xrange [-0.5:13.5]
set yrange [rows - 0.5:-0.5]
set xtics ("NAME ASC first" 0, "deep" 1, "EMAIL DESC first" 2, "deep" 3, \
	"BUSINESS_NAME DESC first" 4, "deep" 5, "STATUS DESC first" 6, "deep" 7, \
	"CREATED_DATE_TIME ASC first" 8, "deep" 9, "UPDATED_DATE_TIME DESC first" 10, "deep" 11, \
	"ID DESC first" 12, "deep" 13) rotate by 90 right scale 0
set logscale cb
set cbrange [0.1:20000]
set cbtics ("0.1" 0.1, "1" 1, "10" 10, "50" 50, "1 s" 1000, "20 s" 20000)
set palette defined (0 "#1a9850", 0.35 "#d9ef8b", 0.45 "#fee08b", 0.6 "#f46d43", 1 "#67001f")
set cblabel "ms"
unset key
set multiplot title title
set tmargin at screen 1 - 60.0 / (rows * 9 + 330)
set bmargin at screen 200.0 / (rows * 9 + 330)
# four panels of equal width after the labels, the colour box after the last
left = 0.17; width = 0.18; gap = 0.01
unset colorbox
do for [panel = 0:3] {
	set lmargin at screen left + panel * (width + gap)
	set rmargin at screen left + panel * (width + gap) + width
	if (panel == 1) { unset ytics }
	if (panel == 3) { set colorbox user origin screen left + 4 * (width + gap) - 0.005, screen 0.3 size screen 0.012, screen 0.4 }
	set title (panel < 2 ? "customers.query" : "plain SQL") . (panel % 2 ? " p99" : " p50")
	plot grid using 1:2:(column(panel + 3)) with image
}
unset multiplot
