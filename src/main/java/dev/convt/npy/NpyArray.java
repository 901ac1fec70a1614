package dev.convt.npy;

import dev.convt.internal.Shapes;
import java.util.Arrays;
import java.util.Objects;

/**
 * An array read from or written to a {@code .npy} file: its shape and its elements in C order.
 *
 * @param shape the dimensions; empty for a scalar (rank 0)
 * @param data the elements in C order, as many as the shape holds (1 for a scalar); the record
 *     holds this array itself, not a copy
 */
public record NpyArray(long[] shape, float[] data) {

    /**
     * Checks that the data fits the shape.
     *
     * @param shape the dimensions, each at least 0
     * @param data exactly as many elements as the shape holds
     * @throws IllegalArgumentException if they disagree
     */
    public NpyArray {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long count = Npy.elementCount(shape);
        if (count != data.length) {
            throw new IllegalArgumentException("data has " + data.length + " elements, shape " + Shapes.format(shape)
                    + " holds " + count);
        }
    }

    /**
     * Returns the dimensions.
     *
     * @return a copy of the dimensions
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Returns the rank.
     *
     * @return the number of dimensions
     */
    public int rank() {
        return shape.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray" + Shapes.format(shape) + " float32";
    }
}
