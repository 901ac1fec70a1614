package dev.convt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void allocateIsZeroFilledAndAlignedToACacheLine() {
        try (Arena arena = Arena.ofConfined()) {
            for (long[] shape : new long[][] {{1}, {3, 5}, {1, 3, 7, 7}, {2, 0, 4}}) {
                Tensor t = Tensor.allocate(arena, shape);
                assertEquals(0, t.segment().address() % Tensor.ALIGNMENT, "address of " + t);
                assertEquals(64, Tensor.ALIGNMENT);
                assertEquals(t.elementCount() * Float.BYTES, t.segment().byteSize());
                for (float v : t.toArray()) {
                    assertEquals(0f, v);
                }
            }
        }
    }

    @Test
    void shapeStridesRankAndCounts() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 2, 3, 4, 5);
            assertArrayEquals(new long[] {2, 3, 4, 5}, t.shape());
            assertArrayEquals(new long[] {60, 20, 5, 1}, t.strides());
            assertEquals(4, t.rank());
            assertEquals(4, t.dim(2));
            assertEquals(120, t.elementCount());
            long[] shape = t.shape();
            shape[0] = 99;
            assertEquals(2, t.dim(0), "shape() returns a copy");
            Tensor scalar = Tensor.allocate(arena);
            assertEquals(0, scalar.rank());
            assertEquals(1, scalar.elementCount());
        }
    }

    @Test
    void getSetAndFlatIndexAgreeInCOrder() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 2, 3, 4);
            t.set(7.5f, 1, 2, 3);
            assertEquals(7.5f, t.get(1, 2, 3));
            assertEquals(7.5f, t.getFlat(1 * 12 + 2 * 4 + 3));
            t.setFlat(5, -2f);
            assertEquals(-2f, t.get(0, 1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> t.set(1f, 0, -1, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.get(0, 0));
            assertTrue(e.getMessage().contains("rank 2"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> t.getFlat(24));
        }
    }

    @Test
    void copyFromToArrayOfAndFill() {
        try (Arena arena = Arena.ofConfined()) {
            float[] data = {1, 2, 3, 4, 5, 6};
            Tensor t = Tensor.of(arena, data, 2, 3);
            assertArrayEquals(data, t.toArray());
            assertEquals(6f, t.get(1, 2));
            t.copyFrom(new float[] {6, 5, 4, 3, 2, 1});
            assertEquals(6f, t.get(0, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[5]));
            assertTrue(e.getMessage().contains("5 elements") && e.getMessage().contains("holds 6"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(arena, new float[5], 2, 3));
            t.fill(2.5f);
            assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, t.toArray());
            t.fill(-0f);
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(t.get(1, 1)));
            t.fill(0f);
            assertEquals(0, Float.floatToRawIntBits(t.get(1, 1)));
        }
    }

    @Test
    void wrapChecksTheSegmentSizeAndViewsItsStart() {
        MemorySegment heap = MemorySegment.ofArray(new float[] {1, 2, 3, 4, 5});
        Tensor t = Tensor.wrap(heap, 2, 2);
        assertEquals(16, t.segment().byteSize());
        assertArrayEquals(new float[] {1, 2, 3, 4}, t.toArray());
        t.set(9f, 0, 0);
        assertEquals(9f, heap.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0), "a view, not a copy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(heap, 2, 3));
        assertTrue(e.getMessage().contains("20 bytes") && e.getMessage().contains("(2, 3)")
                && e.getMessage().contains("24 bytes"), e.getMessage());
    }

    @Test
    void badShapesAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.allocate(arena, 2, -1));
            assertTrue(negative.getMessage().contains("dimension 1 is -1"), negative.getMessage());
            IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.allocate(arena, 1L << 40, 1L << 40));
            assertTrue(huge.getMessage().contains("more than"), huge.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(arena, 1L << 62));
        }
    }

    @Test
    void toStringShowsTheShapeAndWhereTheMemoryIs() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals("Tensor(1, 3, 8, 8) float32", Tensor.allocate(arena, 1, 3, 8, 8).toString());
        }
        assertEquals("Tensor(2) float32 (heap)", Tensor.wrap(MemorySegment.ofArray(new float[2]), 2).toString());
    }

    @Test
    void closedArenaMakesEveryAccessThrowIllegalState() {
        Tensor t;
        Arena arena = Arena.ofConfined();
        t = Tensor.allocate(arena, 2, 2);
        arena.close();
        assertThrows(IllegalStateException.class, () -> t.get(0, 0));
        assertThrows(IllegalStateException.class, () -> t.set(1f, 0, 0));
        assertThrows(IllegalStateException.class, () -> t.getFlat(0));
        assertThrows(IllegalStateException.class, t::toArray);
        assertThrows(IllegalStateException.class, () -> t.fill(1f));
        assertThrows(IllegalStateException.class, () -> t.copyFrom(new float[4]));
        assertThrows(IllegalStateException.class, () -> Tensor.allocate(arena, 2));
        assertEquals("Tensor(2, 2) float32", t.toString(), "the shape stays readable");
    }
}
