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
 * {@link Math#fma}, so results must be bitwise equal, for both register sets' tiles on any machine:
 * one, odd and many segments and steps, vector offsets that jump as tiles crossing grid rows do,
 * and sums already in scratch (a later run).
 */
class TileKernelTest {

    private static final int LANES = TileKernel.LANES;

    /** Operands of one kernel call: a vector region, a broadcast region and per-segment starts. */
    private record Operands(MemorySegment vec, float[] vecCopy, MemorySegment bc, float[] bcCopy, long[] vecStart,
            long[] bcStart, int[] offsets, long vecStride, int steps, int[] base, float[] scratch) {

        static Operands random(Arena arena, Random r, int rows, int vectors, int segments, int steps) {
            long vecStride = LANES * (vectors + 1) + r.nextInt(3);
            int[] offsets = new int[Math.max(vectors, 4)];  // the 4-vector signature reads offsets 1-3
            for (int v = 1; v < offsets.length; v++) {
                // Mostly the next vector; sometimes a jump, as when a tile crosses a grid row.
                offsets[v] = offsets[v - 1] + (r.nextInt(4) == 0 ? LANES + 1 + r.nextInt(2 * LANES) : LANES);
            }
            long span = (steps - 1) * vecStride + offsets[offsets.length - 1] + LANES;
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

    /** Runs one square tile by its vector count: 4 (the 32-register tile 4x4) or 2 (4x2). */
    private static void square(int vectors, Operands o, int segments, int steps, boolean accumulate) {
        if (vectors == 4) {
            TileKernel.tile4x4(o.vec, o.vecStart, o.vecStride, o.offsets[1], o.offsets[2], o.offsets[3], o.bc,
                    o.bcStart, TileKernel.BROADCASTS, segments, steps, o.scratch, o.base, accumulate);
        } else {
            TileKernel.tile4x2(o.vec, o.vecStart, o.vecStride, o.offsets[1], o.bc, o.bcStart, TileKernel.BROADCASTS,
                    segments, steps, o.scratch, o.base, accumulate);
        }
    }

    @ParameterizedTest(name = "4x{3}: {0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 1, 1, 4", "1, 7, 2, 4", "3, 1, 3, 4", "3, 5, 4, 4", "9, 64, 5, 4", "4, 129, 6, 4",
            "1, 1, 1, 2", "1, 7, 2, 2", "3, 1, 3, 2", "3, 5, 4, 2", "9, 64, 5, 2", "4, 129, 6, 2"})
    void squareTileSumsLikeTheScalarLoop(int segments, int steps, long seed, int vectors) {
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), TileKernel.BROADCASTS, vectors, segments, steps);
            float[] expected = o.expected(TileKernel.BROADCASTS, vectors, false);
            square(vectors, o, segments, steps, false);
            assertArrayEquals(expected, o.scratch);
        }
    }

    /**
     * With {@code accumulate} the square tile adds its run's sum to what scratch holds: one rounding
     * more than a continued chain, so this compares with the run's own sum added once.
     */
    @ParameterizedTest(name = "4x{3}: {0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 3, 7, 4", "4, 16, 8, 4", "1, 3, 7, 2", "4, 16, 8, 2"})
    void squareTileAccumulatesOntoScratch(int segments, int steps, long seed, int vectors) {
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), TileKernel.BROADCASTS, vectors, segments, steps);
            float[] run = o.expected(TileKernel.BROADCASTS, vectors, false);
            float[] expected = new float[run.length];
            for (int i = 0; i < run.length; i++) {
                expected[i] = run[i] + o.scratch[i];
            }
            square(vectors, o, segments, steps, true);
            assertArrayEquals(expected, o.scratch);
        }
    }

    /**
     * The paired tile's rows 4-7 are {@code bcPair} elements after rows 0-3: with 8 rows packed per
     * step, a pair of 4 puts them where the scalar loop reads rows 4-7.
     */
    @ParameterizedTest(name = "8x2: {0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 1, 31", "1, 7, 32", "3, 1, 33", "3, 5, 34", "9, 64, 35", "4, 129, 36"})
    void pairedTileSumsLikeTheScalarLoop(int segments, int steps, long seed) {
        int rows = TileKernel.PAIRED_BROADCASTS;
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), rows, 2, segments, steps);
            float[] expected = o.expected(rows, 2, false);
            TileKernel.tile8x2(o.vec, o.vecStart, o.vecStride, o.offsets[1], o.bc, o.bcStart, TileKernel.BROADCASTS,
                    rows, segments, steps, o.scratch, o.base);
            assertArrayEquals(expected, o.scratch);
        }
    }

    @ParameterizedTest(name = "{3}x{4}: {0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 1, 11, 6, 4", "1, 7, 12, 6, 4", "3, 1, 13, 6, 4", "3, 5, 14, 6, 4", "9, 64, 15, 6, 4",
            "4, 129, 16, 6, 4", "1, 1, 11, 5, 2", "1, 7, 12, 5, 2", "3, 1, 13, 5, 2", "3, 5, 14, 5, 2",
            "9, 64, 15, 5, 2", "4, 129, 16, 5, 2"})
    void wideTileContinuesTheSumsInScratch(int segments, int steps, long seed, int rows, int vectors) {
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), rows, vectors, segments, steps);
            float[] expected = o.expected(rows, vectors, true);
            for (int s = 0; s < segments; s++) {
                if (vectors == 4) {
                    TileKernel.tile6x4(o.vec, o.vecStart[s], o.vecStride, o.offsets[1], o.offsets[2], o.offsets[3],
                            o.bc, o.bcStart[s], rows, steps, o.scratch, o.base);
                } else {
                    TileKernel.tile5x2(o.vec, o.vecStart[s], o.vecStride, o.offsets[1], o.bc, o.bcStart[s], rows,
                            steps, o.scratch, o.base);
                }
            }
            assertArrayEquals(expected, o.scratch);
        }
    }

    @ParameterizedTest(name = "3x{3}: {0} segments x {1} steps, seed {2}")
    @CsvSource({"1, 1, 21, 6", "1, 7, 22, 6", "3, 1, 23, 6", "3, 5, 24, 6", "9, 64, 25, 6", "4, 129, 26, 6",
            "1, 1, 21, 4", "1, 7, 22, 4", "3, 1, 23, 4", "3, 5, 24, 4", "9, 64, 25, 4", "4, 129, 26, 4"})
    void narrowTileContinuesTheSumsInScratch(int segments, int steps, long seed, int vectors) {
        try (Arena arena = Arena.ofConfined()) {
            Operands o = Operands.random(arena, new Random(seed), TileKernel.NARROW_BROADCASTS, vectors, segments,
                    steps);
            float[] expected = o.expected(TileKernel.NARROW_BROADCASTS, vectors, true);
            for (int s = 0; s < segments; s++) {
                if (vectors == 6) {
                    TileKernel.tile3x6(o.vec, o.vecStart[s], o.vecStride, o.offsets, o.bc, o.bcStart[s],
                            steps, o.scratch, o.base);
                } else {
                    TileKernel.tile3x4(o.vec, o.vecStart[s], o.vecStride, o.offsets, o.bc, o.bcStart[s],
                            steps, o.scratch, o.base);
                }
            }
            assertArrayEquals(expected, o.scratch);
        }
    }
}
