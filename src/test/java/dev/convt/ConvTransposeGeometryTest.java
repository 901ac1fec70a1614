package dev.convt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConvTransposeGeometryTest {

    @Test
    void shapesCountsAndFlops() {
        ConvTransposeGeometry g = ConvTransposeSpec.builder(4, 6, 3, 2).groups(2).stride(2).build().geometry(3, 4, 5, 7);
        assertArrayEquals(new long[] {3, 4, 5, 7}, g.inputShape());
        assertArrayEquals(new long[] {3, 6, 11, 14}, g.outputShape());
        assertEquals(3 * 4 * 5 * 7, g.inputCount());
        assertEquals(3 * 6 * 11 * 14, g.outputCount());
        // 2 * N * Cin * Cout/groups * H * W * kH * kW
        assertEquals(2.0 * 3 * 4 * 3 * 5 * 7 * 3 * 2, g.flops());
        assertEquals(4, g.inputRank());
        String s = g.toString();
        assertTrue(s.contains("(3, 4, 5, 7) -> (3, 6, 11, 14)"), s);
    }

    @Test
    void oneDimensionalGeometryKeepsTheInputRank() {
        ConvTransposeGeometry g = ConvTransposeSpec.builder1d(2, 3, 4).build().geometry(1, 2, 5);
        assertEquals(3, g.inputRank());
        assertArrayEquals(new long[] {1, 3, 8}, g.outputShape());
        assertEquals(1, g.height().in());
        assertEquals(1, g.height().out());
    }

    @Test
    void axisExtentAndPadEnd() {
        ConvTransposeGeometry.Axis a = ConvTransposeSpec.builder1d(1, 1, 3).stride(2).dilation(3).pads(1, 2)
                .outputPadding(1).build().geometry(1, 1, 4).width();
        assertEquals(7, a.extent(), "3*(3-1)+1");
        // out = 3*2 + 7 - 1 - 2 + 1 = 11; padEnd = 6 + 7 - 11 - 1 = 1 = pads end - output_padding.
        assertEquals(11, a.out());
        assertEquals(1, a.padEnd());
    }

    /**
     * Bug in {@code ConvTransposeGeometry.Axis.extent()}: {@code dilation * (kernel - 1) + 1} is
     * computed in int and overflows, although the spec accepts the parameters and resolves the
     * output size correctly in long arithmetic. padEnd(), which uses extent(), is then wrong by
     * 2^32. Here extent = 65536 * 65536 + 1 = 2^32 + 1, out = 2^32 + 1 - 2 * (2^31 - 1) = 3.
     */
    @Test
    void extentDoesNotOverflow() {
        ConvTransposeGeometry.Axis a = ConvTransposeSpec.builder1d(1, 1, 65537).dilation(65536)
                .padding(Integer.MAX_VALUE).bias(false).build().geometry(1, 1, 1).width();
        assertEquals(3, a.out());
        assertEquals(Integer.MAX_VALUE, a.padEnd());
    }
}
