package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Lanes} alone: the interior of a strided run of loads is exactly the loads that lie
 * inside the buffer (those before it start below 0 or end past the limit), and lane bits select
 * exactly the lanes inside a range.
 */
class LanesTest {

    @Test
    void theInteriorIsExactlyTheLoadsInsideTheBuffer() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 20_000; trial++) {
            long stride = r.nextInt(1, 70);
            long width = r.nextInt(1, 70);
            long start = r.nextInt(-300, 300);
            long limit = r.nextInt(0, 1_000);
            int count = r.nextInt(0, 40);
            int first = Lanes.interiorStart(start, stride, count);
            int end = Lanes.interiorEnd(start, stride, width, limit, first, count);
            String at = "start " + start + " stride " + stride + " width " + width + " limit " + limit + " count "
                    + count + ": [" + first + ", " + end + ")";
            assertTrue(0 <= first && first <= end && end <= count, at);
            for (int i = 0; i < count; i++) {
                long lo = start + i * stride;
                boolean inside = lo >= 0 && lo + width <= limit;
                boolean interior = i >= first && i < end;
                assertEquals(inside, interior, at + ", load " + i);
            }
        }
    }

    @Test
    void laneBitsSelectTheLanesInsideTheRange() {
        int lanes = TileKernel.LANES;
        for (long start = -2L * lanes; start <= 2L * lanes; start++) {
            for (long limit = -lanes; limit <= 3L * lanes; limit++) {
                long bits = Lanes.bits(start, limit);
                for (int l = 0; l < lanes; l++) {
                    boolean inside = start + l >= 0 && start + l < limit;
                    assertEquals(inside, (bits >>> l & 1) == 1, "start " + start + " limit " + limit + " lane " + l);
                }
                assertEquals(0, bits >>> lanes, "no bits past the vector");
            }
        }
    }
}
