package dev.convt.bench;

import dev.convt.bench.BenchResults.Implementation;
import dev.convt.bench.BenchResults.Peak;
import dev.convt.bench.BenchResults.Roof;
import dev.convt.bench.BenchResults.Row;
import java.util.List;
import java.util.Locale;

/**
 * The roofline as inline SVG, one panel per thread count with both roofs measured: useful GFLOP/s
 * against arithmetic intensity (useful FLOPs per byte of input, weights, bias and output), both
 * axes logarithmic. The roof is the lower of the measured FMA peak and the measured stream
 * bandwidth times the intensity; every implementation but the scalar reference is a point at
 * each layer's intensity. A run on a busy machine carries a banner inside the chart.
 */
final class RooflineChart {

    private static final int LEFT = 64;
    private static final int PLOT_WIDTH = 700;
    private static final int PLOT_HEIGHT = 300;
    /** Room for a layer's name beside a point near the right end. */
    private static final int RIGHT = 70;
    private static final int LEGEND = 66;
    private static final int PANEL_HEADER = 30;
    private static final int PANEL_FOOTER = 46;
    private static final int PANEL_GAP = 14;
    private static final List<Implementation> SHOWN = List.of(Implementation.CONVT, Implementation.ONNX_RUNTIME,
            Implementation.ONEDNN_NCHW, Implementation.ONEDNN_OWN);

    private final BenchResults results;
    private final List<Integer> threadCounts;
    private double logXMin;
    private double logXMax;
    private double logYMin;
    private double logYMax;
    private Svg svg;

    private RooflineChart(BenchResults results) {
        this.results = results;
        this.threadCounts = results.peaks.keySet().stream().filter(results.bandwidths::containsKey)
                .filter(t -> results.rows.stream().anyMatch(r -> r.threads() == t && SHOWN.contains(r.implementation())))
                .toList();
    }

    /** @return the chart, or an empty string without a thread count that has both roofs and a point */
    static String svg(BenchResults results) {
        return new RooflineChart(results).draw();
    }

    private double x(double intensity) {
        return LEFT + PLOT_WIDTH * (Math.log10(intensity) - logXMin) / (logXMax - logXMin);
    }

    private double y(double gflops, double plotTop) {
        return plotTop + PLOT_HEIGHT * (logYMax - Math.log10(gflops)) / (logYMax - logYMin);
    }

    private List<Row> points(int threads) {
        return results.rows.stream().filter(r -> r.threads() == threads && SHOWN.contains(r.implementation())).toList();
    }

    private String draw() {
        if (threadCounts.isEmpty()) {
            return "";
        }
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = 0;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = 0;
        for (int t : threadCounts) {
            Peak peak = results.peaks.get(t);
            double ridge = peak.gflops() / results.bandwidths.get(t).gflops();
            // The ridge and both roofs lie inside the axes, however slow a busy machine made them.
            xMin = Math.min(xMin, ridge);
            xMax = Math.max(xMax, ridge);
            yMin = Math.min(yMin, peak.gflops());
            yMax = Math.max(yMax, peak.gflops());
            for (Row row : points(t)) {
                double intensity = row.layer().usefulFlops() / row.layer().bytes();
                xMin = Math.min(xMin, intensity);
                xMax = Math.max(xMax, intensity);
                yMin = Math.min(yMin, row.usefulGflops());
            }
        }
        logXMin = Math.floor(Math.log10(xMin / 1.5));
        logXMax = Math.max(logXMin + 1, Math.ceil(Math.log10(xMax * 1.5)));
        for (int t : threadCounts) {
            // The bandwidth roof's left end, so the sloped roof shows across the whole axis.
            yMin = Math.min(yMin, results.bandwidths.get(t).gflops() * Math.pow(10, logXMin));
        }
        logYMin = Math.floor(Math.log10(yMin));
        logYMax = Math.max(logYMin + 1, Math.ceil(Math.log10(yMax * 1.2)));

        int panelHeight = PANEL_HEADER + PLOT_HEIGHT + PANEL_FOOTER;
        svg = Svg.chart(results, LEFT + PLOT_WIDTH + RIGHT, LEGEND + threadCounts.size() * (panelHeight + PANEL_GAP),
                "roofline: useful GFLOP/s against arithmetic intensity, per implementation and layer");
        drawLegend(svg.top());
        int top = svg.top() + LEGEND;
        for (int t : threadCounts) {
            drawPanel(t, top);
            top += panelHeight + PANEL_GAP;
        }
        return svg.end();
    }

    private void drawPanel(int threads, int top) {
        Peak peak = results.peaks.get(threads);
        Peak bandwidth = results.bandwidths.get(threads);
        double ridge = peak.gflops() / bandwidth.gflops();
        svg.text(8, top + 16, "start", "font-weight=\"bold\" font-size=\"13\"", BenchReport.threads(threads)
                + ": FMA peak " + Numbers.significant(peak.gflops()) + " GFLOP/s, bandwidth "
                + Numbers.significant(bandwidth.gflops()) + " GB/s, ridge at " + Numbers.significant(ridge)
                + " FLOP/byte");
        double plotTop = top + PANEL_HEADER;
        double plotBottom = plotTop + PLOT_HEIGHT;
        svg.rect(LEFT, plotTop, PLOT_WIDTH, PLOT_HEIGHT, "#fbfcfd");
        for (int decade = (int) logXMin; decade <= logXMax; decade++) {
            double gx = x(Math.pow(10, decade));
            svg.line(gx, plotTop, gx, plotBottom, "#d0d0d0", null);
            svg.text(gx, plotBottom + 14, "middle", "", Numbers.significant(Math.pow(10, decade)));
        }
        for (int decade = (int) logYMin; decade <= logYMax; decade++) {
            double gy = y(Math.pow(10, decade), plotTop);
            svg.line(LEFT, gy, LEFT + PLOT_WIDTH, gy, "#d0d0d0", null);
            svg.text(LEFT - 6, gy + 4, "end", "", Numbers.significant(Math.pow(10, decade)));
        }
        svg.text(LEFT + PLOT_WIDTH / 2.0, plotBottom + 32, "middle", "font-weight=\"bold\"",
                "arithmetic intensity, useful FLOP per byte of input + weights + bias + output (log scale)");
        svg.text(LEFT - 48, plotTop + PLOT_HEIGHT / 2.0, "middle", String.format(Locale.ROOT,
                "font-weight=\"bold\" transform=\"rotate(-90 %.1f %.1f)\"", LEFT - 48.0, plotTop + PLOT_HEIGHT / 2.0),
                "useful GFLOP/s (log scale)");

        double left = Math.pow(10, logXMin);
        double right = Math.pow(10, logXMax);
        svg.path(String.format(Locale.ROOT, "M%.1f %.1f L%.1f %.1f L%.1f %.1f", x(left),
                y(bandwidth.gflops() * left, plotTop), x(ridge), y(peak.gflops(), plotTop), x(right),
                y(peak.gflops(), plotTop)), "none", "stroke=\"#c00000\" stroke-width=\"2\"");
        svg.text(x(right) - 4, y(peak.gflops(), plotTop) - 6, "end", "fill=\"#c00000\"",
                "FMA peak " + Numbers.significant(peak.gflops()) + " GFLOP/s");
        svg.text(x(left) + 6, y(bandwidth.gflops() * left, plotTop) - 8, "start", "fill=\"#c00000\"",
                "memory: " + Numbers.significant(bandwidth.gflops()) + " GB/s × intensity");

        for (Row row : points(threads)) {
            Roof roof = results.roof(row.layer(), threads).orElseThrow();
            double px = x(roof.intensity());
            double py = y(row.usefulGflops(), plotTop);
            svg.group(row.layer().id() + ", " + row.implementation().label + ": " + Numbers.significant(row.usefulGflops())
                    + " useful GFLOP/s at " + Numbers.significant(roof.intensity()) + " FLOP/byte, "
                    + Numbers.percent(100 * row.usefulGflops() / roof.roofGflops()) + " of the "
                    + (roof.memoryBound() ? "memory" : "FMA") + " roof");
            marker(row.implementation(), px, py);
            svg.endGroup();
            if (row.implementation() == Implementation.CONVT) {
                svg.text(px + 7, py + 4, "start", "font-size=\"10\" fill=\"#333\"", row.layer().id());
            }
        }
    }

    private void marker(Implementation implementation, double px, double py) {
        String colour = ReportChart.COLOURS.get(implementation)[0];
        String d = switch (implementation) {
            case ONNX_RUNTIME -> String.format(Locale.ROOT, "M%.1f %.1f h8 v8 h-8 z", px - 4, py - 4);
            case ONEDNN_NCHW -> String.format(Locale.ROOT, "M%.1f %.1f l5 9 h-10 z", px, py - 5);
            case ONEDNN_OWN -> String.format(Locale.ROOT, "M%.1f %.1f l5 5 l-5 5 l-5 -5 z", px, py - 5);
            default -> String.format(Locale.ROOT, "M%.1f %.1f a4.5 4.5 0 1 0 0.01 0 z", px, py - 4.5);
        };
        // Open for oneDNN's own layout: not a peer a convt user can swap in.
        svg.path(d, implementation == Implementation.ONEDNN_OWN ? "white" : colour,
                "stroke=\"" + colour + "\" stroke-width=\"1.5\"");
    }

    /** One line of markers, then what the roof is; above the panels, so the chart stays narrow. */
    private void drawLegend(int top) {
        double lx = 8;
        double ly = top + 12;
        for (Implementation implementation : SHOWN) {
            if (results.rows.stream().noneMatch(r -> r.implementation() == implementation)) {
                continue;
            }
            marker(implementation, lx + 5, ly);
            svg.text(lx + 16, ly + 4, "start", "", implementation.label);
            lx += 34 + 6.2 * implementation.label.length();
        }
        svg.line(lx, ly, lx + 12, ly, "#c00000", "stroke-width=\"2\"");
        svg.text(lx + 16, ly + 4, "start", "", "roof");
        svg.text(8, ly + 24, "start", "fill=\"#444\"", "Roof: the lower of the FMA peak and the bandwidth × intensity;"
                + " hover a point for its share of the roof.");
        svg.text(8, ly + 38, "start", "fill=\"#444\"", "Open diamond: oneDNN on its own layout, not the NCHW tensors"
                + " a convt user holds. Layer names stand beside convt's points.");
    }
}
