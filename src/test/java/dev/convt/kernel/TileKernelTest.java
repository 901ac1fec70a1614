package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.convt.testing.RandomFloats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each micro-kernel alone against a scalar loop that sums the same products in the same order with
 * {@link Math#fma}, so results must be bitwise equal: one, odd and many segments and steps, vector
 * offsets that jump as tiles crossing grid rows do, and sums already in scratch (a later run).
 */
class TileKernelTest {

    private static final int LANES = TileKernel.LANES;

    /** Operands of one kernel call: a vector region, a broadcast region and per-segment starts. */
    private record Operands(MemorySegment vec, float[] vecCopy, MemorySegment bc, float[] bcCopy, long[] vecStart,
            long[] bcStart, int[] offsets, long vecStride, int steps, int[] base, float[] scratch) {

        static Operands random(Arena arena, Random r, int rows, int vectors, int segments, int steps) {
            long vecStride = LANES * (vectors + 1) + r.nextInt(3);
            int[] offsets = new int[vectors];
            for (int v = 1; v < vectors; v++) {
                // Mostly the next vector; sometimes a jump, as when a tile crosses a grid row.
                offsets[v] = offsets[v - 1] + (r.nextInt(4) == 0 ? LANES + 1 + r.nextInt(2 * LANES) : LANES);
            }
            long span = (steps - 1) * vecStride + offsets[vectors - 1] + LANES;
            long[] vecStart = new long[segments];
            long[] bcStart = new long[segments];
            for (int s = 0; s < segments; s++) {
                vecStart[s] = r.nextInt(LANES + 1);
                bcStart[s] = (long) s * steps * rows + r.nextInt(2);
            }
            float[] vecCopy = RandomFloats.uniform(r, (int) (span + LANES + 1));
            float[] bcCopy = RandomFloats.uniform(r, segments * steps * rows + 1);
            int[] base = new int[rows];
            for (int b = 0; b < rows; b++) {
                base[b] = (rows - 1 - b) * vectors * LANES;  // rows in reverse: the kernel must follow base
            }
            float[] scratch = RandomFloats.uniform(r, rows * vectors * LANES);
            return new Operands(segment(arena, vecCopy), vecCopy, segment(arena, bcCopy), bcCopy, vecStart, bcStart,
                    offsets, vecStride, steps, base, scratch);
        }

        private static MemorySegment segment(Arena arena, float[] values) {
            MemorySegment m = arena.allocate((long) values.length * Float.BYTES, 64);
            MemorySegment.copy(values, 0, m, ValueLayout.JAVA_FLOAT, 0, values.length);
            return m;
        }

        /** The scalar definition: per accumulator, every segment's steps in order, fused. */
        float[] expected(int rows, int vectors, boolean startFromScratch) {
            float[] sums = startFromScratch ? scratch.clone() : new float[scratch.length];
            for (int b = 0; b < rows; b++) {
                for (int v = 0; v < vectors; v++) {
                    for (int l = 0; l < LANES; l++) {
                        int at = base[b] + v * LANES + l;
                        float acc = startFromScratch ? scratch[at] : 0f;
                        for (int s = 0; s < vecStart.length; s++) {
                            for (int k = 0; k < steps; k++) {
                                float x = vecCopy[(int) (vecStart[s] + k * vecStride + offsets[v] + l)];
                                float w = bcCopy[(int) (bcStart[s] + (long) k * rows + b)];
                                acc = Math.fma(x, w, acc);
                            }
                        }
                        sums[at] = acc;
                    }
                }
            }
            return sums;
        }
    }

    @ParameterizedTest(name = "{0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 1, 1", "1, 7, 2", "3, 1, 3", "3, 5, 4", "9, 64, 5", "4, 129, 6"})
    void squareTileSumsLikeTheScalarLoop(int segments, int steps, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), TileKernel.BROADCASTS, TileKernel.VECTORS, segments,
                    steps);
            float[] expected = o.expected(TileKernel.BROADCASTS, TileKernel.VECTORS, false);
            TileKernel.computeTile(o.vec, o.vecStart, o.vecStride, o.offsets[1], o.offsets[2], o.offsets[3], o.bc,
                    o.bcStart, TileKernel.BROADCASTS, segments, steps, o.scratch, o.base, false);
            assertArrayEquals(expected, o.scratch);
        }
    }

    /**
     * With {@code accumulate} the square tile adds its run's sum to what scratch holds: one rounding
     * more than a continued chain, so this compares with the run's own sum added once.
     */
    @ParameterizedTest(name = "{0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 3, 7", "4, 16, 8"})
    void squareTileAccumulatesOntoScratch(int segments, int steps, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), TileKernel.BROADCASTS, TileKernel.VECTORS, segments,
                    steps);
            float[] run = o.expected(TileKernel.BROADCASTS, TileKernel.VECTORS, false);
            float[] expected = new float[run.length];
            for (int i = 0; i < run.length; i++) {
                expected[i] = run[i] + o.scratch[i];
            }
            TileKernel.computeTile(o.vec, o.vecStart, o.vecStride, o.offsets[1], o.offsets[2], o.offsets[3], o.bc,
                    o.bcStart, TileKernel.BROADCASTS, segments, steps, o.scratch, o.base, true);
            assertArrayEquals(expected, o.scratch);
        }
    }

    @ParameterizedTest(name = "{0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 1, 11", "1, 7, 12", "3, 1, 13", "3, 5, 14", "9, 64, 15", "4, 129, 16"})
    void wideTileContinuesTheSumsInScratch(int segments, int steps, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), TileKernel.WIDE_BROADCASTS, TileKernel.VECTORS,
                    segments, steps);
            float[] expected = o.expected(TileKernel.WIDE_BROADCASTS, TileKernel.VECTORS, true);
            for (int s = 0; s < segments; s++) {
                TileKernel.computeWideTile(o.vec, o.vecStart[s], o.vecStride, o.offsets[1], o.offsets[2],
                        o.offsets[3], o.bc, o.bcStart[s], TileKernel.WIDE_BROADCASTS, steps, o.scratch, o.base);
            }
            assertArrayEquals(expected, o.scratch);
        }
    }

    @ParameterizedTest(name = "{0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 1, 21", "1, 7, 22", "3, 1, 23", "3, 5, 24", "9, 64, 25", "4, 129, 26"})
    void narrowTileContinuesTheSumsInScratch(int segments, int steps, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), TileKernel.NARROW_BROADCASTS,
                    TileKernel.NARROW_VECTORS, segments, steps);
            float[] expected = o.expected(TileKernel.NARROW_BROADCASTS, TileKernel.NARROW_VECTORS, true);
            for (int s = 0; s < segments; s++) {
                TileKernel.computeNarrowTile(o.vec, o.vecStart[s], o.vecStride, o.offsets, o.bc, o.bcStart[s],
                        TileKernel.NARROW_BROADCASTS, steps, o.scratch, o.base);
            }
            assertArrayEquals(expected, o.scratch);
        }
    }
}
