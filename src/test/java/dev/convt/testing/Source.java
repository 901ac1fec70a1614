package dev.convt.testing;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Where a generator's random choices come from. Every draw is recorded as one non-negative
 * choice (its offset from the simplest value of its range), so that {@link PropertyCheck} can
 * shrink a failing input by editing the recorded choices and drawing again from them: generators
 * need no shrinker of their own, and a shrunk input is always one the generator can make.
 *
 * <p>Three kinds: {@link #of(long)} draws exactly what {@link SplittableRandom} with that seed
 * gives for the same calls (so seeds that fuzzers print stay valid); {@link #forTry(long)} also
 * mixes in the boundary values of each range (min, min + 1, max - 1, max, and -1, 0, 1 where the
 * range holds them), as property tries should; {@link #replaying} returns recorded choices and,
 * past their end, the simplest value of each range.
 */
public final class Source implements RandomGenerator {

    /** Thrown when a replayed draw does not terminate; the shrinker then drops that candidate. */
    static final class Exhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exhausted() {
            super("too many draws", null, false, false);
        }
    }

    /** Draws after which an edge-heavy try goes on without edges, and a replay gives up. */
    private static final int MAX_DRAWS = 1 << 20;
    private static final int EDGE_DRAWS = 20_000;

    private final SplittableRandom random;
    private final long[] replay;
    private final int edgePercent;
    private long[] choices = new long[64];
    private int count;

    private Source(SplittableRandom random, long[] replay, int edgePercent) {
        this.random = random;
        this.replay = replay;
        this.edgePercent = edgePercent;
    }

    /**
     * A source that gives what {@code new SplittableRandom(seed)} gives, value for value.
     *
     * @param seed the seed
     * @return the source
     */
    public static Source of(long seed) {
        return new Source(new SplittableRandom(seed), null, 0);
    }

    /**
     * The source of one property try: random, with boundary values mixed in (2% of draws); one try
     * in six is edge-heavy (half of its draws are boundary values), so that combinations of
     * boundaries occur, about as often as jqwik tried its edge-case combinations.
     *
     * @param seed the try's seed, which alone reproduces the try
     * @return the source
     */
    static Source forTry(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return new Source(r, null, r.nextInt(6) == 0 ? 50 : 2);
    }

    /** A source that returns {@code choices} in order, then the simplest value of each range. */
    static Source replaying(long[] choices) {
        return new Source(null, choices, 0);
    }

    /** @return the choices drawn so far, in order */
    long[] choices() {
        return Arrays.copyOf(choices, count);
    }

    /**
     * The primitive draw: a value in {@code [lo, hi]}, recorded as its distance from the value
     * of the range closest to 0 (zig-zag encoded when the range holds values on both sides of 0),
     * so that shrinking a choice towards 0 moves the value there.
     */
    private long choose(long lo, long hi, LongSupplier fresh) {
        return choose(lo, hi, fresh, true);
    }

    private long choose(long lo, long hi, LongSupplier fresh, boolean edges) {
        if (count >= MAX_DRAWS && replay != null) {
            throw new Exhausted();
        }
        long value;
        if (replay != null) {
            value = decode(count < replay.length ? replay[count] : 0, lo, hi);
        } else if (edges && edgePercent > 0 && count < EDGE_DRAWS && random.nextInt(100) < edgePercent) {
            value = edge(lo, hi);
        } else {
            value = fresh.getAsLong();
        }
        record(encode(value, lo, hi));
        return value;
    }

    private static long encode(long value, long lo, long hi) {
        if (lo >= 0) {
            return value - lo;
        }
        if (hi <= 0) {
            return hi - value;
        }
        return (value << 1) ^ (value >> 63);
    }

    /** The inverse of {@link #encode}; a choice edited by the shrinker may not fit the range it now meets. */
    private static long decode(long choice, long lo, long hi) {
        long span = hi - lo;
        if (lo >= 0 || hi <= 0) {
            long c = Long.compareUnsigned(choice, span) <= 0 ? choice : Long.remainderUnsigned(choice, span + 1);
            return lo >= 0 ? lo + c : hi - c;
        }
        long v = (choice >>> 1) ^ -(choice & 1);
        return v >= lo && v <= hi || span + 1 == 0 ? v : lo + Long.remainderUnsigned(choice, span + 1);
    }

    private long edge(long lo, long hi) {
        long[] edges = {lo, lo + 1, hi - 1, hi, -1, 0, 1};
        while (true) {
            long e = edges[random.nextInt(edges.length)];
            if (e >= lo && e <= hi) {
                return e;
            }
        }
    }

    private void record(long choice) {
        if (count == choices.length) {
            choices = Arrays.copyOf(choices, count * 2);
        }
        choices[count++] = choice;
    }

    @Override
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) choose(0, bound - 1, () -> random.nextInt(bound));
    }

    @Override
    public int nextInt() {
        return (int) choose(Integer.MIN_VALUE, Integer.MAX_VALUE, () -> random.nextInt());
    }

    @Override
    public long nextLong() {
        return choose(Long.MIN_VALUE, Long.MAX_VALUE, () -> random.nextLong());
    }

    @Override
    public boolean nextBoolean() {
        return choose(0, 1, () -> random.nextBoolean() ? 1 : 0) == 1;
    }

    /** Uniform in [0, 1) in steps of 2^-53, as {@link SplittableRandom#nextDouble()}. */
    @Override
    public double nextDouble() {
        return choose(0, (1L << 53) - 1, () -> (long) (random.nextDouble() * 0x1p53)) * 0x1p-53;
    }

    /**
     * @param lo the smallest value
     * @param hi the largest value, at least {@code lo}
     * @return a value in {@code [lo, hi]}
     */
    public int between(int lo, int hi) {
        return (int) between((long) lo, hi);
    }

    /**
     * @param lo the smallest value
     * @param hi the largest value, at least {@code lo}
     * @return a value in {@code [lo, hi]}
     */
    public long between(long lo, long hi) {
        if (hi < lo) {
            throw new IllegalArgumentException("empty range [" + lo + ", " + hi + "]");
        }
        return choose(lo, hi, () -> {
            long span = hi - lo + 1;
            if (span > 0) {
                return lo + random.nextLong(span);
            }
            // more than 2^63 values: at least every second long lies in the range
            long v = random.nextLong();
            while (v < lo || v > hi) {
                v = random.nextLong();
            }
            return v;
        });
    }

    /**
     * Any int, half the time of a random bit length, so that mid-sized values occur as often as
     * huge ones and boundary values.
     *
     * @return the int
     */
    public int anyInt() {
        if (nextBoolean()) {
            long m = 1L << nextInt(32);
            return (int) between(-m, m - 1);
        }
        return nextInt();
    }

    /**
     * Any long, half the time of a random bit length.
     *
     * @return the long
     */
    public long anyLong() {
        if (nextBoolean()) {
            long m = 1L << nextInt(63);
            return between(-m, m - 1);
        }
        return nextLong();
    }

    /**
     * @param options what to pick from, simplest first
     * @return one of them
     */
    @SafeVarargs
    public final <T> T pick(T... options) {
        return options[nextInt(options.length)];
    }

    /**
     * @param options what to pick from, simplest first
     * @return one of them
     */
    public <T> T pick(List<T> options) {
        return options.get(nextInt(options.size()));
    }

    /**
     * @param options what to pick from, simplest first
     * @return one of them
     */
    public int pickInt(int... options) {
        return options[nextInt(options.length)];
    }

    /**
     * @param options what to pick from, simplest first
     * @return one of them
     */
    public long pickLong(long... options) {
        return options[nextInt(options.length)];
    }

    /**
     * Picks an index with the given relative weights.
     *
     * @param weights one positive weight per index
     * @return index {@code i} with probability {@code weights[i] / sum}
     */
    public int weighted(int... weights) {
        int total = Arrays.stream(weights).sum();
        // no boundary values here: they would override the weights with the first and last index
        int r = (int) choose(0, total - 1, () -> random.nextInt(total), false);
        for (int i = 0; ; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
    }

    /**
     * @param min the fewest elements
     * @param max the most elements
     * @param element draws one element
     * @return a list of {@code min} to {@code max} elements
     */
    public <T> List<T> list(int min, int max, Gen<T> element) {
        int n = between(min, max);
        List<T> l = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(element.draw(this));
        }
        return l;
    }

    /**
     * @param min the fewest elements
     * @param max the most elements
     * @param element draws one element
     * @return an array of {@code min} to {@code max} elements
     */
    public int[] ints(int min, int max, Gen<Integer> element) {
        return list(min, max, element).stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * @param min the fewest elements
     * @param max the most elements
     * @param element draws one element
     * @return an array of {@code min} to {@code max} elements
     */
    public long[] longs(int min, int max, Gen<Long> element) {
        return list(min, max, element).stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * @param list the elements, reordered in place
     * @return {@code list}, in a random order (Fisher-Yates)
     */
    public <T> List<T> shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            java.util.Collections.swap(list, i, nextInt(i + 1));
        }
        return list;
    }
}
