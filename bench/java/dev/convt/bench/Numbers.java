package dev.convt.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** How the report prints numbers; a missing value (NaN) prints as a dash. */
final class Numbers {

    static final String MISSING = "–";

    private Numbers() {}

    /** @return {@code x} to three significant digits, without exponent */
    static String significant(double x) {
        if (!Double.isFinite(x)) {
            return MISSING;
        }
        return new BigDecimal(x).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /** @return e.g. {@code 41.7 %} */
    static String percent(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.1f %%", x) : MISSING;
    }

    /** @return e.g. {@code 12.3×} */
    static String times(double x) {
        return Double.isFinite(x) ? significant(x) + "×" : MISSING;
    }

    /** @return a whole number of bytes */
    static String bytes(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.0f", x) : MISSING;
    }

    /** @return a FLOP count with an SI prefix, e.g. {@code 67.1 MFLOP} */
    static String flops(double x) {
        String[] prefixes = {"", "k", "M", "G", "T"};
        int p = 0;
        while (p < prefixes.length - 1 && Math.abs(x) >= 1000) {
            x /= 1000;
            p++;
        }
        return significant(x) + " " + prefixes[p] + "FLOP";
    }

    /** @return {@code [low, high]} as {@code low–high}; an infinite upper end prints as ∞ */
    static String interval(double[] bounds) {
        if (!Double.isFinite(bounds[0]) || Double.isNaN(bounds[1])) {
            return MISSING;
        }
        return significant(bounds[0]) + "–" + (bounds[1] == Double.POSITIVE_INFINITY ? "∞" : significant(bounds[1]));
    }
}
