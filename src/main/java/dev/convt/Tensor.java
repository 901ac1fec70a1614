package dev.convt;

import dev.convt.internal.Shapes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, C-order (row-major) float32 tensor in a {@link MemorySegment}, typically off-heap and
 * shaped {@code (N, C, H, W)}.
 *
 * <p>A tensor does not own its memory: the arena it was allocated from does. Once that arena is
 * closed every access throws {@link IllegalStateException}. A tensor is a view; reads and writes
 * from several threads need the caller's own synchronisation.
 */
public final class Tensor {

    /** Byte alignment of memory allocated by {@link #allocate}: one cache line, one 512-bit vector. */
    public static final long ALIGNMENT = 64;

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final MemorySegment segment;
    private final long[] shape;
    private final long[] strides;
    private final long count;

    private Tensor(MemorySegment segment, long[] shape, long count) {
        this.segment = segment;
        this.shape = shape;
        this.count = count;
        this.strides = new long[shape.length];
        long stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= shape[d];
        }
    }

    /**
     * Allocates a zero-filled tensor, 64-byte aligned.
     *
     * @param arena the arena that owns the memory
     * @param shape the dimensions, each at least 0
     * @return the tensor
     */
    public static Tensor allocate(Arena arena, long... shape) {
        Objects.requireNonNull(arena, "arena");
        long[] s = Objects.requireNonNull(shape, "shape").clone();
        long bytes = Shapes.floatBytes("shape", s);
        return new Tensor(arena.allocate(bytes, ALIGNMENT), s, bytes / Float.BYTES);
    }

    /**
     * Allocates a tensor and copies {@code data} into it.
     *
     * @param arena the arena that owns the memory
     * @param data the elements in C order; exactly as many as the shape holds
     * @param shape the dimensions
     * @return the tensor
     */
    public static Tensor of(Arena arena, float[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        Tensor t = allocate(arena, shape);
        t.copyFrom(data);
        return t;
    }

    /**
     * Views an existing segment as a tensor. The segment must hold at least the shape's bytes;
     * the tensor covers its first {@code 4 * elementCount} bytes.
     *
     * @param segment the memory, native or heap
     * @param shape the dimensions
     * @return the tensor
     * @throws IllegalArgumentException if the segment is too small
     */
    public static Tensor wrap(MemorySegment segment, long... shape) {
        Objects.requireNonNull(segment, "segment");
        long[] s = Objects.requireNonNull(shape, "shape").clone();
        long bytes = Shapes.floatBytes("shape", s);
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for shape "
                    + Shapes.format(s) + " (" + bytes + " bytes)");
        }
        return new Tensor(segment.asSlice(0, bytes), s, bytes / Float.BYTES);
    }

    /** {@return the backing memory, exactly {@code 4 * elementCount()} bytes} */
    public MemorySegment segment() {
        return segment;
    }

    /** {@return a copy of the dimensions} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return a copy of the strides, in elements (C order)} */
    public long[] strides() {
        return strides.clone();
    }

    /** {@return number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /**
     * Size of one dimension.
     *
     * @param d dimension index
     * @return size of dimension {@code d}
     */
    public long dim(int d) {
        return shape[d];
    }

    /** {@return number of elements} */
    public long elementCount() {
        return count;
    }

    /** {@return whether the shape equals {@code other}} */
    boolean hasShape(long[] other) {
        return Arrays.equals(shape, other);
    }

    private long offset(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for a tensor of shape "
                    + Shapes.format(shape));
        }
        long flat = 0;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Shapes.format(index) + " is outside shape "
                        + Shapes.format(shape));
            }
            flat += index[d] * strides[d];
        }
        return flat;
    }

    /**
     * Reads one element.
     *
     * @param index one index per dimension
     * @return the element
     */
    public float get(long... index) {
        return segment.getAtIndex(FLOAT, offset(index));
    }

    /**
     * Writes one element.
     *
     * @param value the new value
     * @param index one index per dimension
     */
    public void set(float value, long... index) {
        segment.setAtIndex(FLOAT, offset(index), value);
    }

    /**
     * Reads one element by its C-order position.
     *
     * @param flatIndex index in C order, in {@code [0, elementCount())}
     * @return the element
     */
    public float getFlat(long flatIndex) {
        return segment.getAtIndex(FLOAT, flatIndex);
    }

    /**
     * Writes one element by its C-order position.
     *
     * @param flatIndex index in C order, in {@code [0, elementCount())}
     * @param value the new value
     */
    public void setFlat(long flatIndex, float value) {
        segment.setAtIndex(FLOAT, flatIndex, value);
    }

    /**
     * Copies all elements from an array in C order.
     *
     * @param data exactly {@link #elementCount()} elements
     */
    public void copyFrom(float[] data) {
        if (data.length != count) {
            throw new IllegalArgumentException("data has " + data.length + " elements, tensor of shape "
                    + Shapes.format(shape) + " holds " + count);
        }
        MemorySegment.copy(data, 0, segment, FLOAT, 0, data.length);
    }

    /**
     * Copies all elements into a new array in C order.
     *
     * @return the elements
     * @throws IllegalStateException if the tensor has more than {@code Integer.MAX_VALUE - 8} elements
     */
    public float[] toArray() {
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of shape " + Shapes.format(shape)
                    + " has too many elements for a Java array");
        }
        float[] out = new float[(int) count];
        MemorySegment.copy(segment, FLOAT, 0, out, 0, out.length);
        return out;
    }

    /**
     * Sets every element to {@code value}.
     *
     * @param value the value
     */
    public void fill(float value) {
        if (value == 0f && Float.floatToRawIntBits(value) == 0) {
            segment.fill((byte) 0);
        } else {
            for (long i = 0; i < count; i++) {
                segment.setAtIndex(FLOAT, i, value);
            }
        }
    }

    @Override
    public String toString() {
        return "Tensor" + Shapes.format(shape) + " float32" + (segment.isNative() ? "" : " (heap)");
    }
}
