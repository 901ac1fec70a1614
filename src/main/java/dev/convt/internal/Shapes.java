package dev.convt.internal;

import dev.convt.ConvTransposeSpec;
import java.util.Arrays;

/** Tensor shapes as every message prints them and every check counts them. */
public final class Shapes {

    private Shapes() {}

    /**
     * Formats a shape as messages print it: a tuple, as NumPy and PyTorch write shapes.
     *
     * @param shape the dimensions
     * @return for example {@code (1, 3, 8, 8)}
     */
    public static String format(long[] shape) {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    /**
     * Counts the elements of a shape.
     *
     * @param shape the dimensions
     * @return their product
     * @throws IllegalArgumentException naming the shape if a dimension is negative or the product
     *     exceeds {@link Long#MAX_VALUE}
     */
    public static long elementCount(long[] shape) {
        return elementCount("shape", shape);
    }

    /**
     * Counts the elements of a named shape.
     *
     * @param name what the shape is, for the message: {@code "input shape"}, {@code "weight shape"}
     * @param shape the dimensions
     * @return their product
     * @throws IllegalArgumentException naming the shape if a dimension is negative or the product
     *     exceeds {@link Long#MAX_VALUE}
     */
    public static long elementCount(String name, long[] shape) {
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException(name + " " + format(shape) + " has a negative dimension: dimension "
                        + d + " is " + shape[d]);
            }
        }
        long n = 1;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " " + format(shape) + " has more than " + Long.MAX_VALUE
                    + " elements", e);
        }
        return n;
    }

    /**
     * Counts the bytes of a named shape's float32 elements.
     *
     * @param name what the shape is, for the message
     * @param shape the dimensions
     * @return {@code 4} times the element count
     * @throws IllegalArgumentException naming the shape if it has a negative dimension or its
     *     bytes exceed {@link Long#MAX_VALUE}
     */
    public static long floatBytes(String name, long[] shape) {
        long count = elementCount(name, shape);
        if (count > Long.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException(name + " " + format(shape) + " needs more than " + Long.MAX_VALUE
                    + " bytes");
        }
        return count * Float.BYTES;
    }

    /**
     * Whether a weight tensor's shape fits a spec: its {@link ConvTransposeSpec#weightShape()}, or
     * for a 1-D spec also the 2-D form with a kernel height of 1, {@code [Cin, Cout/groups, 1, kW]},
     * as a PyTorch ConvTranspose2d of height 1 stores it.
     *
     * @param spec the layer's spec
     * @param shape the weights' shape
     * @return whether {@code spec} accepts weights of that shape
     */
    public static boolean fitsWeights(ConvTransposeSpec spec, long[] shape) {
        long[] expected = spec.weightShape();
        return Arrays.equals(shape, expected) || spec.isOneDimensional()
                && Arrays.equals(shape, new long[] {expected[0], expected[1], 1, expected[2]});
    }
}
