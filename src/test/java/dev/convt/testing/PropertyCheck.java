package dev.convt.testing;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Checks a property on many drawn inputs, as plain JUnit tests: {@code
 * PropertyCheck.forAll(gen).tries(400).check(value -> ...)} inside a {@code @Test} method.
 *
 * <p>Each try draws from its own {@link Source#forTry seed}, with boundary values mixed in. A
 * failing try is shrunk by editing its recorded choices (dropping the tail, moving each towards
 * its simplest value, deleting runs of them) as long as the property still fails the same way; the report gives the
 * try's seed, the input as drawn, the shrunk input and its failure, and the command that replays
 * it. System properties:
 *
 * <ul>
 *   <li>{@code convt.property.seed}: the run's first seed (default: a fresh one per run, printed on
 *       failure);
 *   <li>{@code convt.property.replay}: run only the try with this seed (shrinking it again);
 *   <li>{@code convt.fuzz.tries}: tries of each property that does not fix its own count
 *       (default 1000); the {@code fuzz} Maven profile sets it and then prints each property's
 *       tries and outcomes.
 * </ul>
 *
 * @param <T> the drawn type
 */
public final class PropertyCheck<T> {

    /** A property of one input; it fails by throwing. */
    @FunctionalInterface
    public interface Body<T> {
        /**
         * @param value the drawn input
         * @throws Exception to fail
         */
        void check(T value) throws Exception;
    }

    /** A property that also names what happened, for {@link #collect}. */
    @FunctionalInterface
    public interface Classified<T> {
        /**
         * @param value the drawn input
         * @return a label for the outcome
         * @throws Exception to fail
         */
        String check(T value) throws Exception;
    }

    private static final int SHRINK_EVALUATIONS = 2000;
    private static final long SHRINK_NANOS = 30_000_000_000L;

    private final Gen<T> gen;
    private int tries = Integer.getInteger("convt.fuzz.tries", 1000);

    private PropertyCheck(Gen<T> gen) {
        this.gen = gen;
    }

    /**
     * @param gen draws the inputs
     * @return a check of 1000 tries, or {@code convt.fuzz.tries}
     */
    public static <T> PropertyCheck<T> forAll(Gen<T> gen) {
        return new PropertyCheck<>(gen);
    }

    /**
     * Fixes the number of tries (then {@code convt.fuzz.tries} does not change it).
     *
     * @param n tries, at least 1
     * @return this
     */
    public PropertyCheck<T> tries(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("tries must be at least 1: " + n);
        }
        tries = n;
        return this;
    }

    /**
     * Runs the tries; the first failure, shrunk, fails the test.
     *
     * @param body the property
     */
    public void check(Body<T> body) {
        collect(v -> {
            body.check(v);
            return "";
        });
    }

    /**
     * Runs the tries and counts their outcomes, for coverage checks by the caller.
     *
     * @param body the property, returning a label for each try
     * @return how many tries gave each label
     */
    public Map<String, Long> collect(Classified<T> body) {
        String name = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(PropertyCheck.class.getName()) && !f.getMethodName().startsWith("lambda$")
                        && !f.getClassName().startsWith("org.junit."))
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "#" + f.getMethodName())
                .findFirst().orElseThrow());
        Long replay = Long.getLong("convt.property.replay");
        long first = Long.getLong("convt.property.seed", new SplittableRandom().nextLong());
        SplittableRandom seeds = new SplittableRandom(first);
        int n = replay != null ? 1 : tries;
        Map<String, Long> outcomes = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            long seed = replay != null ? replay : seeds.nextLong();
            Source s = Source.forTry(seed);
            String label;
            try {
                label = body.check(gen.draw(s));
            } catch (Throwable t) {
                throw report(name, i, n, first, seed, s.choices(), t, body);
            }
            outcomes.merge(label, 1L, Long::sum);
        }
        if (System.getProperty("convt.fuzz.tries") != null || replay != null) {
            System.out.println("[convt.property] " + name + ": " + n + " tries from seed " + first + ", no failure"
                    + (outcomes.keySet().equals(java.util.Set.of("")) ? "" : ", outcomes " + outcomes));
        }
        return outcomes;
    }

    /**
     * The share of tries with {@code label}.
     *
     * @param outcomes from {@link #collect}
     * @param label the label
     * @return its percentage of all tries
     */
    public static double percent(Map<String, Long> outcomes, String label) {
        long all = outcomes.values().stream().mapToLong(Long::longValue).sum();
        return 100.0 * outcomes.getOrDefault(label, 0L) / all;
    }

    private AssertionError report(String name, int index, int n, long first, long seed, long[] choices, Throwable failure,
            Classified<T> body) {
        long[] best = choices;
        Throwable bestFailure = failure;
        int evaluations = 0;
        int steps = 0;
        long deadline = System.nanoTime() + SHRINK_NANOS;
        boolean improved = true;
        while (improved && budgetLeft(evaluations, deadline)) {
            improved = false;
            // keep a prefix of the choices: the rest are drawn as the simplest values
            for (int keep = 0; keep < best.length && budgetLeft(evaluations, deadline); keep = Math.max(1, keep * 2)) {
                evaluations++;
                Outcome o = run(Arrays.copyOf(best, keep), failure, body, best);
                if (o != null) {
                    best = o.choices;
                    bestFailure = o.failure;
                    steps++;
                    improved = true;
                    break;
                }
            }
            for (int i = 0; i < best.length && budgetLeft(evaluations, deadline); i++) {
                // binary search for the smallest choice at i that still fails (lo passes, hi fails)
                long lo = -1;
                long hi = best[i];
                while (hi != 0 && (lo == -1 || Long.compareUnsigned(hi - lo, 1) > 0) && budgetLeft(evaluations, deadline)) {
                    long mid = lo == -1 ? 0 : lo + ((hi - lo) >>> 1);
                    long[] c = best.clone();
                    c[i] = mid;
                    evaluations++;
                    Outcome o = run(c, failure, body, best);
                    if (o == null) {
                        lo = mid;
                        continue;
                    }
                    best = o.choices;
                    bestFailure = o.failure;
                    steps++;
                    improved = true;
                    if (i >= best.length) {
                        break;
                    }
                    hi = best[i];
                }
            }
            // delete runs of choices, from the end
            for (int k = 8; k >= 1; k /= 2) {
                for (int i = best.length - k; i >= 0 && budgetLeft(evaluations, deadline); i--) {
                    // past the end, choices read as 0: deleting from a tail of zeros changes nothing
                    if (i + k > best.length || i >= zeroTail(best)) {
                        continue;
                    }
                    long[] c = new long[best.length - k];
                    System.arraycopy(best, 0, c, 0, i);
                    System.arraycopy(best, i + k, c, i, best.length - i - k);
                    evaluations++;
                    Outcome o = run(c, failure, body, best);
                    if (o != null) {
                        best = o.choices;
                        bestFailure = o.failure;
                        steps++;
                        improved = true;
                    }
                }
            }
        }
        String replay = "./mvnw -B test -Dtest=" + name + " -Dconvt.property.replay=" + seed;
        AssertionError e = new AssertionError(name + " failed on try " + (index + 1) + " of " + n + " (first seed " + first
                + ", this try's seed " + seed + ")\n  input: " + describe(choices) + "\n  shrunk in " + steps + " steps ("
                + evaluations + " runs) to: " + describe(best) + "\n  replay: " + replay + "\n  failure: " + bestFailure,
                bestFailure);
        if (bestFailure != failure) {
            e.addSuppressed(failure);
        }
        return e;
    }

    /** The index from which all choices are 0. */
    private static int zeroTail(long[] choices) {
        int n = choices.length;
        while (n > 0 && choices[n - 1] == 0) {
            n--;
        }
        return n;
    }

    private static boolean budgetLeft(int evaluations, long deadline) {
        return evaluations < SHRINK_EVALUATIONS && System.nanoTime() < deadline;
    }

    private record Outcome(long[] choices, Throwable failure) {}

    /** Runs the property on {@code choices}; the failure if it fails the same way with fewer or simpler choices. */
    private Outcome run(long[] choices, Throwable original, Classified<T> body, long[] best) {
        Source s = Source.replaying(choices);
        try {
            body.check(gen.draw(s));
            return null;
        } catch (Source.Exhausted e) {
            return null;
        } catch (Throwable t) {
            long[] used = s.choices();
            return t.getClass() == original.getClass() && simpler(used, best) ? new Outcome(used, t) : null;
        }
    }

    /**
     * Shortlex order, ignoring trailing zeros (replays read them past the end anyway): fewer
     * choices, then smaller ones from the first difference. A deletion that moves a failing
     * element to the front of a list is then progress, and the list's length shrinks next.
     */
    private static boolean simpler(long[] a, long[] b) {
        int la = zeroTail(a);
        int lb = zeroTail(b);
        if (la != lb) {
            return la < lb;
        }
        for (int i = 0; i < la; i++) {
            if (a[i] != b[i]) {
                return Long.compareUnsigned(a[i], b[i]) < 0;
            }
        }
        return false;
    }

    private String describe(long[] choices) {
        try {
            return String.valueOf(gen.draw(Source.replaying(choices)));
        } catch (RuntimeException e) {
            return "(the generator threw " + e + ")";
        }
    }
}
