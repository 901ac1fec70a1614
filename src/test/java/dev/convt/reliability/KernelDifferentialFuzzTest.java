package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeGeometry;
import dev.convt.Epilogue;
import dev.convt.kernel.ExecutionPlan;
import dev.convt.reference.DirectReference;
import dev.convt.testing.Layers;
import dev.convt.testing.RandomCase;
import dev.convt.testing.Tolerance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Differential fuzzing of the fast path against {@link dev.convt.reference.DirectReference}.
 *
 * <p>A seed's sign says what it draws: a non-negative seed a 1-D or 2-D case
 * ({@link RandomCase.Options#FUZZ}), a negative one a 3-D case ({@link RandomCase.Options#FUZZ_3D}).
 * The default run checks both kinds; the long run makes every eighth case 3-D.
 *
 * <p>The default run checks a fixed set of seeds in a few seconds. The long run
 * ({@code -Dconvt.fuzz.minutes=30}, see the README) draws fresh seeds for that long, keeps going
 * past failures (up to {@link #MAX_REPORTED_FAILURES}) and prints what it checked; each failure
 * prints the seed, and {@code -Dconvt.fuzz.replay=SEED} runs that one case again.
 *
 * <p>Cases run on one long-lived thread, so that its workspace is reused across cases of
 * different sizes as in a server, and so that a hang is reported with its seed instead of
 * stalling the build.
 */
class KernelDifferentialFuzzTest {

    private static final long QUICK_FIRST_SEED = 0x5EED_0000L;
    private static final int QUICK_CASES = 120;
    /** Negative: the 3-D cases of the default run. */
    private static final long QUICK_3D_FIRST_SEED = -0x5EED_1000L;
    private static final int QUICK_3D_CASES = 48;
    private static final Duration CASE_TIME_LIMIT = Duration.ofSeconds(120);
    private static final int MAX_REPORTED_FAILURES = 10;

    /** Totals of one run. */
    private static final class Tally {
        long cases;
        long elements;
        long threadComparisons;
        final Map<String, Long> plans = new TreeMap<>();
        final List<String> failures = new ArrayList<>();

        void add(DifferentialCheck.Outcome o) {
            cases++;
            elements += o.elements();
            threadComparisons += o.threadsCompared() ? 1 : 0;
            plans.merge(o.kind() + (o.tile().equals(ExecutionPlan.Tile.NONE) ? "" : " " + o.tile()), 1L, Long::sum);
        }

        String summary() {
            return cases + " specs, " + elements + " output elements checked against DirectReference, "
                    + threadComparisons + " multi-threaded runs compared bitwise, plans " + plans + ", "
                    + failures.size() + " failures";
        }
    }

    @Test
    @DisabledIfSystemProperty(named = "convt.test.vectorBytes", matches = ".+",
            disabledReason = "the 128- and 256-bit executions run the 3-D seeds, which the tiled plans are new to; "
                    + "the 2-D plans' own tests run there already, and these seeds would add 20 seconds")
    void fixedSeedsMatchTheReference() throws Exception {
        Tally tally = run(QUICK_FIRST_SEED, QUICK_CASES, Long.MAX_VALUE, 1, false);
        System.out.println("[convt.fuzz] default run: " + tally.summary());
        if (!tally.failures.isEmpty()) {
            fail(String.join("\n", tally.failures));
        }
        // The draw must keep reaching both kernel orientations, both tiles and the thread pool, or this test
        // would silently stop covering them.
        // 18 channel-tiled cases at 512-bit vectors, 6 at 128-bit, where fewer maps are narrower than a vector.
        assertTrue(tally.plans.getOrDefault("CHANNEL_TILED " + ExecutionPlan.Tile.SQUARE, 0L) >= 5,
                "channel-tiled cases: " + tally.plans);
        assertTrue(tally.plans.getOrDefault("PIXEL_TILED " + ExecutionPlan.Tile.SQUARE, 0L) >= 10,
                "square-tile cases: " + tally.plans);
        assertTrue(tally.plans.getOrDefault("PIXEL_TILED " + ExecutionPlan.Tile.NARROW, 0L) >= 10,
                "narrow-tile cases: " + tally.plans);
        assertTrue(tally.plans.getOrDefault("PIXEL_TILED " + ExecutionPlan.Tile.WIDE, 0L) >= 4,
                "wide-tile cases: " + tally.plans);
        assertTrue(tally.threadComparisons >= 20, "multi-threaded comparisons: " + tally.threadComparisons);
    }

    @Test
    void fixed3dSeedsMatchTheReference() throws Exception {
        Tally tally = run(QUICK_3D_FIRST_SEED, QUICK_3D_CASES, Long.MAX_VALUE, 1, false);
        System.out.println("[convt.fuzz] default 3-D run: " + tally.summary());
        if (!tally.failures.isEmpty()) {
            fail(String.join("\n", tally.failures));
        }
        // 3-D layers run the tiled plans, one output depth slice at a time, and the draw must keep
        // reaching the shapes each tiled plan takes.
        assertTrue(tally.plans.getOrDefault("SCALAR", 0L) == 0, "3-D cases: " + tally.plans);
        Map<String, Long> shapes = new TreeMap<>();
        for (long i = 0; i < QUICK_3D_CASES; i++) {
            shapes.merge(tiledShape(caseOf(QUICK_3D_FIRST_SEED + i)), 1L, Long::sum);
        }
        System.out.println("[convt.fuzz] default 3-D run shapes: " + shapes);
        assertTrue(shapes.getOrDefault("wide", 0L) >= 8, "3-D cases with maps at least 16 wide: " + shapes);
        assertTrue(shapes.getOrDefault("narrow, many channels", 0L) >= 8,
                "3-D cases narrower than 16 with at least 32 output channels per group: " + shapes);
        assertTrue(tally.threadComparisons >= 10, "multi-threaded 3-D comparisons: " + tally.threadComparisons);
    }

    /**
     * Which tiled plan's shape a case has, at 512-bit vectors: the width's phase grid at least 16
     * wide (pixel-tiled), or narrower with at least 32 output channels per group (channel-tiled).
     */
    private static String tiledShape(RandomCase c) {
        ConvTransposeGeometry.Axis w = c.geometry().width();
        int grid = Math.ceilDiv(w.out(), w.stride());
        if (grid >= 16) {
            return "wide";
        }
        return c.spec().outChannels() / c.spec().groups() >= 32 ? "narrow, many channels" : "other";
    }

    /** The comparison itself must fail on a wrong element and on one the kernel never wrote. */
    @Test
    void theCheckRejectsAWrongAndAnUnwrittenElement() {
        RandomCase drawn = RandomCase.generate(QUICK_FIRST_SEED, RandomCase.Options.FUZZ);
        RandomCase c = new RandomCase(drawn.spec(), drawn.inputShape(), drawn.input(), drawn.weights(), drawn.bias(),
                Epilogue.NONE, 1, 0, drawn.seed());
        DirectReference.Result expected = DirectReference.forwardWithMagnitudes(c.geometry(), c.input(), c.weights(),
                c.bias(), null);
        float[] right = Layers.forward(c.spec(), c.inputShape(), c.input(), c.weights(), c.bias());
        Tolerance.assertMatches(c, expected, right);
        int k = right.length / 2;
        float[] wrong = right.clone();
        wrong[k] += (float) (1e-4 * (1 + expected.magnitudes()[k]));
        AssertionError e = assertThrows(AssertionError.class, () -> Tolerance.assertMatches(c, expected, wrong));
        assertTrue(e.getMessage().contains("element " + k), e.getMessage());
        float[] unwritten = right.clone();
        unwritten[k] = RandomCase.UNWRITTEN;
        e = assertThrows(AssertionError.class, () -> Tolerance.assertMatches(c, expected, unwritten));
        assertTrue(e.getMessage().contains("was never written"), e.getMessage());
    }

    @Test
    @EnabledIfSystemProperty(named = "convt.fuzz.minutes", matches = "[0-9]+(\\.[0-9]+)?")
    @DisabledIfSystemProperty(named = "convt.test.vectorBytes", matches = ".+",
            disabledReason = "the timed run is for the preferred vector width; running it again in the "
                    + "128- and 256-bit executions would make 30 minutes 90")
    void timedRunMatchesTheReference() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("convt.fuzz.minutes"));
        long firstSeed = Long.getLong("convt.fuzz.seed", System.nanoTime());
        long deadline = System.nanoTime() + (long) (minutes * 60e9);
        System.out.println("[convt.fuzz] timed run: " + minutes + " minutes from seed " + firstSeed);
        Tally tally = run(firstSeed, Long.MAX_VALUE, deadline, MAX_REPORTED_FAILURES, true);
        System.out.println("[convt.fuzz] timed run done: " + tally.summary() + " (seeds " + firstSeed + " .. "
                + (firstSeed + tally.cases + tally.failures.size() - 1) + ")");
        if (!tally.failures.isEmpty()) {
            fail(tally.failures.size() + " failing seeds:\n" + String.join("\n", tally.failures));
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "convt.fuzz.replay", matches = "-?[0-9]+")
    void replayOneSeed() throws Exception {
        long seed = Long.parseLong(System.getProperty("convt.fuzz.replay"));
        RandomCase c = caseOf(seed);
        System.out.println("[convt.fuzz] replaying " + c);
        DifferentialCheck.check(c);
    }

    /** The case of a seed: 3-D for a negative one. */
    private static RandomCase caseOf(long seed) {
        return RandomCase.generate(seed, seed < 0 ? RandomCase.Options.FUZZ_3D : RandomCase.Options.FUZZ);
    }

    /**
     * Checks seeds {@code first, first+1, ...} until {@code count} cases, the deadline, or
     * {@code maxFailures} failures; with {@code mix3d} every eighth seed is negated, so it draws a 3-D case.
     */
    private static Tally run(long first, long count, long deadline, int maxFailures, boolean mix3d)
            throws InterruptedException {
        Tally tally = new Tally();
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "convt-fuzz-case");
            t.setDaemon(true);
            return t;
        });
        long lastReport = System.nanoTime();
        try {
            for (long i = 0; i < count && System.nanoTime() < deadline && tally.failures.size() < maxFailures; i++) {
                long seed = mix3d && i % 8 == 7 ? -(first + i) : first + i;
                Future<DifferentialCheck.Outcome> result = runner.submit(() -> DifferentialCheck.check(caseOf(seed)));
                try {
                    tally.add(result.get(CASE_TIME_LIMIT.toSeconds(), TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    String message = cause instanceof AssertionError ? cause.getMessage()
                            : caseOf(seed) + ": threw " + stackTrace(cause) + "\n  reproduce with -Dconvt.fuzz.replay=" + seed;
                    System.out.println("[convt.fuzz] FAILURE " + message);
                    tally.failures.add(message);
                } catch (TimeoutException e) {
                    String message = caseOf(seed) + ": no result after " + CASE_TIME_LIMIT
                            + " (hang?)\n  reproduce with -Dconvt.fuzz.replay=" + seed;
                    System.out.println("[convt.fuzz] FAILURE " + message);
                    tally.failures.add(message);
                    break;
                }
                if (System.nanoTime() - lastReport > 60e9) {
                    System.out.println("[convt.fuzz] progress: " + tally.summary());
                    lastReport = System.nanoTime();
                }
            }
        } finally {
            runner.shutdownNow();
        }
        return tally;
    }

    private static String stackTrace(Throwable t) {
        var out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
