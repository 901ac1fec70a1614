package dev.convt.bench;

import dev.convt.bench.BenchResults.Answer;
import dev.convt.bench.BenchResults.Implementation;
import dev.convt.bench.BenchResults.Ratio;
import dev.convt.bench.BenchResults.Row;
import java.util.List;
import java.util.Optional;

/**
 * The report's answer to "convt or which peer?" as inline SVG: per layer, the fastest NCHW peer's
 * time over convt's on a linear axis (right of 1: convt is faster), with the interval derived from
 * the two confidence intervals, one panel per thread count, and the summary line above each. A run
 * on a busy machine carries a banner inside the chart, so the figure cannot be quoted without it.
 */
final class AnswerChart {

    private static final int LEFT = 170;
    private static final int PLOT_WIDTH = 560;
    private static final int RIGHT = 260;
    private static final int ROW = 18;
    private static final int PANEL_HEADER = 40;
    private static final int PANEL_FOOTER = 34;
    private static final int PANEL_GAP = 16;
    /** Past this ratio the axis stops and longer whiskers end in an arrow. */
    private static final double AXIS_CAP = 6;

    private static final String AHEAD = "#2e7d32";
    private static final String BEHIND = "#c62828";
    private static final String UNDECIDED = "#757575";

    private final BenchResults results;
    private Svg svg;
    private double axisMax;

    private AnswerChart(BenchResults results) {
        this.results = results;
    }

    /** @return the chart, or an empty string if no layer has both convt and a peer */
    static String svg(BenchResults results) {
        return new AnswerChart(results).draw();
    }

    private double x(double ratio) {
        return LEFT + PLOT_WIDTH * Math.min(ratio, axisMax) / axisMax;
    }

    private String draw() {
        List<Integer> threadCounts = results.convtThreadCounts().stream()
                .filter(t -> results.answer(t).isPresent()).toList();
        if (threadCounts.isEmpty()) {
            return "";
        }
        List<SuiteLayer> layers = List.copyOf(results.layers());
        double max = 2;
        for (Row row : results.rows) {
            Optional<Ratio> ratio = results.versusFastestPeer(row);
            if (ratio.isPresent()) {
                max = Math.max(max, ratio.get().value());
            }
        }
        axisMax = Math.min(AXIS_CAP, Math.ceil(max * 2) / 2);
        int panelHeight = PANEL_HEADER + layers.size() * ROW + PANEL_FOOTER;
        svg = Svg.chart(results, LEFT + PLOT_WIDTH + RIGHT, threadCounts.size() * (panelHeight + PANEL_GAP),
                "convt against the fastest NCHW peer, per layer");
        int top = svg.top();
        for (int threads : threadCounts) {
            drawPanel(threads, layers, top);
            top += panelHeight + PANEL_GAP;
        }
        return svg.end();
    }

    private void drawPanel(int threads, List<SuiteLayer> layers, int top) {
        Answer answer = results.answer(threads).orElseThrow();
        svg.text(8, top + 14, "start", "font-weight=\"bold\" font-size=\"13\"", "convt " + answer.headline());
        svg.text(8, top + 30, "start", "fill=\"#444\"", answer.detail() + ".");
        int plotTop = top + PANEL_HEADER;
        int plotBottom = plotTop + layers.size() * ROW;
        for (double v = 0; v <= axisMax + 1e-9; v += 0.5) {
            boolean whole = Math.abs(v - Math.rint(v)) < 1e-9;
            svg.line(x(v), plotTop, x(v), plotBottom, v == 1 ? "#222" : whole ? "#c8c8c8" : "#eeeeee",
                    v == 1 ? "stroke-width=\"1.5\"" : null);
            if (whole || axisMax <= 3) {
                svg.text(x(v), plotBottom + 13, "middle", "", Numbers.significant(v) + "×");
            }
        }
        int y = plotTop;
        for (int i = 0; i < layers.size(); i++) {
            SuiteLayer layer = layers.get(i);
            if (i % 2 == 0) {
                svg.rect(0, y, LEFT + PLOT_WIDTH + RIGHT, ROW, "#f3f5f8");
            }
            svg.text(LEFT - 8, y + 13, "end", "font-weight=\"bold\"", layer.id());
            Optional<Ratio> ratio = results.rows.stream()
                    .filter(r -> r.layer() == layer && r.threads() == threads && r.implementation() == Implementation.CONVT)
                    .findFirst().flatMap(results::versusFastestPeer);
            if (ratio.isPresent()) {
                drawRatio(ratio.get(), y + ROW / 2.0);
            } else {
                svg.text(LEFT + 4, y + 13, "start", "fill=\"#888\"", "no convt or peer row");
            }
            y += ROW;
        }
        svg.text(LEFT + PLOT_WIDTH / 2.0, plotBottom + 28, "middle", "",
                "fastest NCHW peer's time / convt's time, linear; right of 1: convt faster. Whisker: from both 99.9%"
                        + " intervals; green/red: wholly above/below 1");
    }

    private void drawRatio(Ratio ratio, double mid) {
        String colour = ratio.clearlyAhead() ? AHEAD : ratio.clearlyBehind() ? BEHIND : UNDECIDED;
        svg.group(ratio.peer().layer().id() + ": " + Numbers.times(ratio.value()) + " against "
                + ratio.peer().implementation().label + ", interval "
                + Numbers.interval(new double[] {ratio.low(), ratio.high()}));
        if (!Double.isNaN(ratio.low())) {
            double lo = x(Math.max(0, ratio.low()));
            double hi = x(ratio.high());
            svg.line(lo, mid, hi, mid, colour, "stroke-width=\"2\"");
            svg.line(lo, mid - 4, lo, mid + 4, colour, null);
            if (ratio.high() > axisMax) {
                svg.arrowHead(hi + 5, mid, colour);
            } else {
                svg.line(hi, mid - 4, hi, mid + 4, colour, null);
            }
        }
        svg.circle(x(ratio.value()), mid, 4, colour);
        String interval = Numbers.interval(new double[] {ratio.low(), ratio.high()});
        svg.text(LEFT + PLOT_WIDTH + 12, mid + 4, "start", "fill=\"" + colour + "\"", Numbers.times(ratio.value())
                + (interval.equals(Numbers.MISSING) ? "" : " (" + interval + ")") + " vs "
                + ratio.peer().implementation().label);
        svg.endGroup();
    }
}
