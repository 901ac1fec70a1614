package dev.convt.bench;

import dev.convt.bench.BenchResults.Implementation;
import dev.convt.bench.BenchResults.Peak;
import dev.convt.bench.BenchResults.Row;
import dev.convt.bench.BenchResults.Series;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report's chart as inline SVG: GFLOP/s per layer and implementation, horizontal bars on a
 * log axis (the scalar reference and the vector code are orders of magnitude apart), with
 * confidence-interval whiskers and the measured FMA peaks as dashed lines; a run on a busy machine
 * carries a banner inside the chart.
 */
final class ReportChart {

    private static final int LEFT = 170;
    private static final int PLOT_WIDTH = 820;
    private static final int RIGHT = 70;
    private static final int TOP = 108;
    private static final int LEGEND_LINE = 16;
    private static final int BOTTOM = 44;
    private static final int BAR = 11;
    private static final int BAR_GAP = 2;
    private static final int GROUP_GAP = 12;

    /** Per implementation: the colour at one thread, then the lighter one at more threads. */
    static final Map<Implementation, String[]> COLOURS = Map.of(
            Implementation.REFERENCE, new String[] {"#8c8c8c", "#c8c8c8"},
            Implementation.CONVT, new String[] {"#1f4e99", "#5b9bd5"},
            Implementation.ONNX_RUNTIME, new String[] {"#b4490f", "#f4a66a"},
            Implementation.ONEDNN_NCHW, new String[] {"#2e7d32", "#81c784"},
            Implementation.ONEDNN_OWN, new String[] {"#6a3d9a", "#b39ddb"});

    private final BenchResults results;
    private final double logMin;
    private final double logMax;
    private Svg svg;

    private ReportChart(BenchResults results) {
        this.results = results;
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        // The axis covers the means and the peaks; whiskers beyond it are cut at its ends.
        for (Row row : results.rows) {
            min = Math.min(min, row.gflops());
            max = Math.max(max, row.gflops());
        }
        for (Peak peak : results.peaks.values()) {
            if (Double.isFinite(peak.gflops())) {
                max = Math.max(max, peak.gflops());
            }
        }
        this.logMin = Math.floor(Math.log10(min));
        this.logMax = Math.max(logMin + 1, Math.ceil(Math.log10(max)));
    }

    static String svg(BenchResults results) {
        return new ReportChart(results).draw();
    }

    private double x(double gflops) {
        return LEFT + PLOT_WIDTH * (Math.log10(gflops) - logMin) / (logMax - logMin);
    }

    private String draw() {
        List<SuiteLayer> layers = List.copyOf(results.layers());
        List<List<Row>> groups = new ArrayList<>();
        for (SuiteLayer layer : layers) {
            groups.add(results.rows.stream().filter(r -> r.layer() == layer).toList());
        }
        int plotHeight = groups.stream().mapToInt(g -> g.size() * (BAR + BAR_GAP)).sum()
                + GROUP_GAP * (groups.size() - 1);
        int width = LEFT + PLOT_WIDTH + RIGHT;
        svg = Svg.chart(results, width, TOP + plotHeight + BOTTOM, "GFLOP/s per layer and implementation");
        svg.shiftDown(svg.top());
        drawLegend();
        int y = TOP;
        for (int g = 0; g < groups.size(); g++) {
            List<Row> group = groups.get(g);
            int groupHeight = group.size() * (BAR + BAR_GAP);
            if (g % 2 == 0) {
                svg.rect(0, y - GROUP_GAP / 2.0, width, groupHeight + GROUP_GAP, "#f3f5f8");
            }
            SuiteLayer layer = layers.get(g);
            svg.text(LEFT - 8, y + groupHeight / 2.0 - 1, "end", "font-weight=\"bold\"", layer.id());
            svg.text(LEFT - 8, y + groupHeight / 2.0 + 11, "end", "fill=\"#666\"",
                    Numbers.flops(layer.flops()) + "/call");
            y += GROUP_GAP + groupHeight;
        }
        drawAxis(TOP, TOP + plotHeight);
        y = TOP;
        for (List<Row> group : groups) {
            for (Row row : group) {
                drawBar(row, y);
                y += BAR + BAR_GAP;
            }
            y += GROUP_GAP;
        }
        drawPeaks(TOP, TOP + plotHeight);
        svg.endGroup();
        return svg.end();
    }

    private void drawLegend() {
        double lx = 8;
        double ly = 8;
        for (Series series : results.series()) {
            double itemWidth = 28 + 6.2 * series.label().length();
            // Ten series do not fit one line: wrap rather than run off the image.
            if (lx + itemWidth > LEFT + PLOT_WIDTH + RIGHT) {
                lx = 8;
                ly += LEGEND_LINE;
            }
            svg.rect(lx, ly, 12, 12, colour(series));
            svg.text(lx + 16, ly + 10, "start", "", series.label());
            lx += itemWidth;
        }
        svg.text(8, ly + LEGEND_LINE + 12, "start", "fill=\"#444\"", "GFLOP/s (nominal FLOPs), log scale; whiskers:"
                + " 99.9% confidence interval (arrow: unbounded above); dashed red: measured Vector API FMA peak");
    }

    private void drawAxis(int top, int bottom) {
        for (int decade = (int) logMin; decade <= logMax; decade++) {
            for (int step : new int[] {1, 2, 5}) {
                double v = step * Math.pow(10, decade);
                if (Math.log10(v) > logMax + 1e-9) {
                    continue;
                }
                double gx = x(v);
                boolean major = step == 1;
                svg.line(gx, top - 4, gx, bottom, major ? "#b0b0b0" : "#e0e0e0", null);
                if (major || PLOT_WIDTH / (logMax - logMin) > 150) {
                    svg.text(gx, bottom + 14, "middle", major ? "" : "fill=\"#888\"", Numbers.significant(v));
                }
            }
        }
        svg.text(LEFT + PLOT_WIDTH / 2.0, bottom + 32, "middle", "font-weight=\"bold\"", "GFLOP/s (log scale)");
    }

    private void drawBar(Row row, double y) {
        double v = row.gflops();
        double[] interval = row.gflopsInterval();
        double end = x(v);
        svg.group(row.layer().id() + ", " + row.series().label() + ": " + Numbers.significant(v) + " GFLOP/s, "
                + Numbers.significant(row.timing().ms()) + " ms/call");
        svg.rect(LEFT, y, Math.max(1, end - LEFT), BAR, colour(row.series()));
        double labelX = end;
        if (Double.isFinite(interval[0]) && !Double.isNaN(interval[1])) {
            double lo = Math.max(LEFT, x(interval[0]));
            double mid = y + BAR / 2.0;
            svg.line(lo, mid - 3, lo, mid + 3, "#222", null);
            if (interval[1] == Double.POSITIVE_INFINITY || x(interval[1]) > LEFT + PLOT_WIDTH) {
                // Open towards the fast side: a short arrow, so the label stays by its bar.
                double tip = end + 16;
                svg.line(lo, mid, tip, mid, "#222", null);
                svg.arrowHead(tip, mid, "#222");
                labelX = tip;
            } else {
                double hi = x(interval[1]);
                svg.line(lo, mid, hi, mid, "#222", null);
                svg.line(hi, mid - 3, hi, mid + 3, "#222", null);
                labelX = Math.max(labelX, hi);
            }
        }
        svg.text(labelX + 4, y + BAR - 1.5, "start", "font-size=\"10\"", Numbers.significant(v));
        svg.endGroup();
    }

    private void drawPeaks(int top, int bottom) {
        int i = 0;
        for (Peak peak : results.peaks.values()) {
            double px = x(peak.gflops());
            svg.line(px, top - 6 - 14 * i, px, bottom, "#c00000", "stroke-dasharray=\"5,3\"");
            svg.text(px - 4, top - 9 - 14 * i, "end", "fill=\"#c00000\"", "FMA peak, " + peak.threads()
                    + (peak.threads() == 1 ? " thread: " : " threads: ") + Numbers.significant(peak.gflops())
                    + " GFLOP/s");
            i++;
        }
    }

    private static String colour(Series series) {
        String[] shades = COLOURS.get(series.implementation());
        return shades[series.threads() == 1 ? 0 : 1];
    }
}
