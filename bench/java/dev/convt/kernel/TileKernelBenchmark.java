package dev.convt.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Each micro-kernel alone on L1-resident operands (about 20 KB), so its time is the tile's own
 * ceiling: compare {@link #flops} of its rows x vectors sums per call with the FMA peak that
 * {@code dev.convt.bench.FmaPeakBenchmark} measures in the same run. Both register sets' tiles run on
 * any machine; the set that spills on it shows as such. Operands are shaped as the
 * plans use them: 4 taps (segments) of 64 input channels (steps), shifted vector loads.
 *
 * <pre>
 * ./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * $JAVA25/bin/java --add-modules=jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     org.openjdk.jmh.Main 'TileKernelBenchmark|FmaPeakBenchmark'
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class TileKernelBenchmark {

    private static final int LANES = TileKernel.LANES;
    static final int SEGMENTS = 4;
    static final int STEPS = 64;
    /** {@return the FLOPs of one benchmark call of a tile of {@code sums} accumulators: two per lane per FMA} */
    public static double flops(int sums) {
        return 2.0 * sums * LANES * SEGMENTS * STEPS;
    }

    private Arena arena;
    private MemorySegment window;
    private MemorySegment weights;
    private final long[] windowStarts = new long[SEGMENTS];
    private final long[] weightStarts4 = new long[SEGMENTS];
    private final long[] weightStarts3 = new long[SEGMENTS];
    private final int[] narrowOffsets = new int[6];
    private final int[] base = new int[6];
    private float[] sums;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        long plane = 6L * LANES;
        window = filled(arena.allocate((STEPS * plane + 2 * LANES) * Float.BYTES, 64));
        weights = filled(arena.allocate(6L * SEGMENTS * STEPS * Float.BYTES, 64));
        for (int s = 0; s < SEGMENTS; s++) {
            windowStarts[s] = s;  // tap shifts: each vector load straddles two lines, as in the plans
            weightStarts4[s] = 4L * STEPS * s;
            weightStarts3[s] = 3L * STEPS * s;
        }
        for (int v = 0; v < narrowOffsets.length; v++) {
            narrowOffsets[v] = v * LANES;
        }
        sums = new float[6 * 6 * LANES];
        for (int b = 0; b < base.length; b++) {
            base[b] = b * 6 * LANES;
        }
    }

    private static MemorySegment filled(MemorySegment m) {
        for (long i = 0; i < m.byteSize() / Float.BYTES; i++) {
            m.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 11) * 0.01f);
        }
        return m;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** The square tile with 32 registers: 4 window vectors x 4 broadcast weights, segment operands. */
    @Benchmark
    public float tile4x4() {
        TileKernel.tile4x4(window, windowStarts, 6L * LANES, LANES, 2 * LANES, 3 * LANES, weights, weightStarts4, 4,
                SEGMENTS, STEPS, sums, base, false);
        return sums[0];
    }

    /** The square tile with 16 registers: 2 window vectors x 4 broadcast weights. */
    @Benchmark
    public float tile4x2() {
        TileKernel.tile4x2(window, windowStarts, 6L * LANES, LANES, weights, weightStarts4, 4, SEGMENTS, STEPS, sums,
                base, false);
        return sums[0];
    }

    /** The wide tile with 32 registers: 4 window vectors x 6 broadcast weights, one segment per call. */
    @Benchmark
    public float tile6x4() {
        TileKernel.storeZeros(sums, base, 6, 4);
        for (int s = 0; s < SEGMENTS; s++) {
            TileKernel.tile6x4(window, windowStarts[s], 6L * LANES, LANES, 2 * LANES, 3 * LANES, weights,
                    6L * STEPS * s, 6, STEPS, sums, base);
        }
        return sums[0];
    }

    /** The wide tile with 16 registers: 2 window vectors x 5 broadcast weights. */
    @Benchmark
    public float tile5x2() {
        TileKernel.storeZeros(sums, base, 5, 2);
        for (int s = 0; s < SEGMENTS; s++) {
            TileKernel.tile5x2(window, windowStarts[s], 6L * LANES, LANES, weights, 5L * STEPS * s, 5, STEPS, sums,
                    base);
        }
        return sums[0];
    }

    /** The narrow tile with 32 registers: 6 window vectors x 3 broadcast weights. */
    @Benchmark
    public float tile3x6() {
        TileKernel.storeZeros(sums, base, 3, 6);
        for (int s = 0; s < SEGMENTS; s++) {
            TileKernel.tile3x6(window, windowStarts[s], 6L * LANES, narrowOffsets, weights, weightStarts3[s],
                    STEPS, sums, base);
        }
        return sums[0];
    }

    /** The narrow tile with 16 registers: 4 window vectors x 3 broadcast weights. */
    @Benchmark
    public float tile3x4() {
        TileKernel.storeZeros(sums, base, 3, 4);
        for (int s = 0; s < SEGMENTS; s++) {
            TileKernel.tile3x4(window, windowStarts[s], 6L * LANES, narrowOffsets, weights, weightStarts3[s],
                    STEPS, sums, base);
        }
        return sums[0];
    }
}
