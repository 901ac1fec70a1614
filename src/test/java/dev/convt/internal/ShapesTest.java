package dev.convt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeSpec;
import org.junit.jupiter.api.Test;

class ShapesTest {

    @Test
    void shapesPrintAsTuples() {
        assertEquals("(1, 3, 8, 8)", Shapes.format(new long[] {1, 3, 8, 8}));
        assertEquals("(7)", Shapes.format(new long[] {7}));
        assertEquals("()", Shapes.format(new long[0]));
    }

    @Test
    void countsAreExactOrRefusedNamingTheShape() {
        assertEquals(1, Shapes.elementCount(new long[0]));
        assertEquals(2L * 3 * 5, Shapes.elementCount(new long[] {2, 3, 5}));
        // A zero dimension after a large product: the count is 0, not an overflow.
        assertEquals(0, Shapes.elementCount(new long[] {1L << 40, 0, 1L << 40}));
        assertEquals(Long.MAX_VALUE, Shapes.elementCount(new long[] {Long.MAX_VALUE, 1}));
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Shapes.elementCount(new long[] {1L << 32, 1L << 31}));
        assertEquals("shape (4294967296, 2147483648) has more than 9223372036854775807 elements", big.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Shapes.elementCount(new long[] {2, -3}));
        assertEquals("shape (2, -3) has a negative dimension: dimension 1 is -3", negative.getMessage());
    }

    @Test
    void namedShapesNameThemselvesWhenRefused() {
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> Shapes.elementCount("weight shape", new long[] {1L << 32, 1L << 31}));
        assertEquals("weight shape (4294967296, 2147483648) has more than 9223372036854775807 elements",
                big.getMessage());
    }

    @Test
    void floatBytesAreExactOrRefusedNamingTheShape() {
        assertEquals(4L * 2 * 3, Shapes.floatBytes("input shape", new long[] {2, 3}));
        assertEquals(0, Shapes.floatBytes("input shape", new long[] {5, 0}));
        // The largest count whose bytes a long holds, and one more.
        long most = Long.MAX_VALUE / Float.BYTES;
        assertEquals(most * Float.BYTES, Shapes.floatBytes("output shape", new long[] {most}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shapes.floatBytes("output shape", new long[] {most + 1}));
        assertEquals("output shape (" + (most + 1) + ") needs more than 9223372036854775807 bytes", e.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Shapes.floatBytes("input shape", new long[] {-1}));
        assertEquals("input shape (-1) has a negative dimension: dimension 0 is -1", negative.getMessage());
    }

    @Test
    void aOneDimensionalSpecAlsoTakesWeightsOfKernelHeightOne() {
        ConvTransposeSpec oneD = ConvTransposeSpec.builder1d(4, 6, 3).groups(2).build();
        assertTrue(Shapes.fitsWeights(oneD, new long[] {4, 3, 3}));
        assertTrue(Shapes.fitsWeights(oneD, new long[] {4, 3, 1, 3}));
        assertFalse(Shapes.fitsWeights(oneD, new long[] {4, 3, 3, 1}));
        assertFalse(Shapes.fitsWeights(oneD, new long[] {4, 6, 3}));
        ConvTransposeSpec twoD = ConvTransposeSpec.builder(4, 6, 1, 3).build();
        assertTrue(Shapes.fitsWeights(twoD, new long[] {4, 6, 1, 3}));
        assertFalse(Shapes.fitsWeights(twoD, new long[] {4, 6, 3}));
    }
}
