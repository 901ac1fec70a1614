package dev.convt.bench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** An SVG document built element by element, for the report's inline charts. */
final class Svg {

    private final StringBuilder svg = new StringBuilder();
    /** Where the chart below the banner starts: 0 without one. */
    private final int top;

    /**
     * @param width width and view-box width in pixels
     * @param height height and view-box height
     * @param label what the image shows, for screen readers
     */
    Svg(int width, int height, String label) {
        this(width, height, label, 0);
    }

    private Svg(int width, int height, String label, int top) {
        this.top = top;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"%s\">\n",
                width, height, width, height, Html.escape(label)));
    }

    void rect(double x, double y, double w, double h, String fill) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                x, y, w, h, fill));
    }

    /** @param extra further attributes, or null */
    void line(double x1, double y1, double x2, double y2, String stroke, String extra) {
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>\n", x1, y1, x2, y2, stroke,
                extra == null ? "" : " " + extra));
    }

    /** A triangle pointing right with its tip at (x, y): an interval that runs off the axis. */
    void arrowHead(double x, double y, String fill) {
        svg.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1f l-5 -3 v6 z\" fill=\"%s\"/>\n", x, y, fill));
    }

    /**
     * @param d the path data, e.g. {@code M0 0 L10 10}
     * @param fill fill colour, or {@code none}
     * @param extra further attributes, or ""
     */
    void path(String d, String fill, String extra) {
        svg.append("<path d=\"").append(d).append("\" fill=\"").append(fill).append('"')
                .append(extra.isEmpty() ? "" : " " + extra).append("/>\n");
    }

    void circle(double x, double y, double r, String fill) {
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>", x, y, r, fill));
    }

    /** @param attributes further attributes, e.g. {@code fill="#444"}, or "" */
    void text(double x, double y, String anchor, String attributes, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>\n", x, y,
                anchor, attributes.isEmpty() ? "" : " " + attributes, Html.escape(content)));
    }

    /** Height of the banner, gap below included. */
    private static final int BANNER = 44;

    /**
     * A chart's document, headed by {@code results}' busy-machine banner when it has one: a red
     * warning across the top, in the figure itself so that it cannot be quoted without it.
     *
     * @param results the run the chart shows
     * @param width width in pixels
     * @param height the chart's height, the banner's not included
     * @param label what the image shows, for screen readers
     * @return the document; the chart starts at {@link #top()}
     */
    static Svg chart(BenchResults results, int width, int height, String label) {
        Optional<List<String>> busy = results.busyBanner();
        int top = busy.isPresent() ? BANNER : 0;
        Svg svg = new Svg(width, top + height, label, top);
        busy.ifPresent(lines -> {
            svg.rect(0, 0, width, BANNER - 6, "#fde0dc");
            for (int i = 0; i < lines.size(); i++) {
                svg.text(8, 15 + 15 * i, "start", "font-weight=\"bold\" fill=\"#c62828\"", lines.get(i));
            }
        });
        return svg;
    }

    /** @return where the chart starts, below the banner if there is one */
    int top() {
        return top;
    }

    /** Starts a group moved down by {@code dy}; close it with {@link #endGroup()}. */
    void shiftDown(double dy) {
        svg.append(String.format(Locale.ROOT, "<g transform=\"translate(0 %.1f)\">\n", dy));
    }

    /** Starts a group whose tooltip is {@code title}; close it with {@link #endGroup()}. */
    void group(String title) {
        svg.append("<g><title>").append(Html.escape(title)).append("</title>");
    }

    void endGroup() {
        svg.append("</g>\n");
    }

    /** @return the finished document */
    String end() {
        return svg.append("</svg>\n").toString();
    }
}
