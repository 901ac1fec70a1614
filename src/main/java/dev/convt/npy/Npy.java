package dev.convt.npy;

import dev.convt.Tensor;
import dev.convt.internal.Shapes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) holding float32
 * arrays in C order, of any rank including 0, and with zero-size dimensions.
 *
 * <p>Reading accepts the dtypes {@code '<f4'} and {@code '>f4'} (byte-swapped as needed) and
 * {@code '<f8'} and {@code '>f8'}, which are converted to float32 by rounding to nearest (values
 * beyond float32's range become infinities). Everything else is refused with an
 * {@link IOException} naming the problem, before any large allocation: other dtypes, Fortran
 * order, unknown versions, malformed or oversized headers, a data section shorter or longer than
 * the header's shape implies (trailing bytes are refused too, since NumPy never writes them and
 * they mean the header and data disagree), and shapes whose byte size overflows. The claimed size
 * is checked against the real length of the file or byte array before memory is allocated, so a
 * tiny file claiming a huge shape fails fast instead of exhausting memory.
 *
 * <p>Writing always produces version 1.0 (2.0 if the header needs more than 65535 bytes), dtype
 * {@code '<f4'}, C order, with the header padded so the data starts at a multiple of 64 bytes, as
 * NumPy does.
 */
public final class Npy {

    /** Longest header accepted when reading, in bytes; real float32 headers are under 200. */
    public static final int MAX_HEADER_BYTES = 1 << 20;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;
    private static final int CHUNK_BYTES = 1 << 16;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Npy() {}

    // ---------------------------------------------------------------- reading

    /**
     * Reads a file into a Java array.
     *
     * @param file a {@code .npy} file
     * @return its shape and elements
     * @throws IOException if the file cannot be read or is not a supported {@code .npy} file
     * @throws IllegalArgumentException if the array has too many elements for a Java array (use
     *     {@link #readTensor(Path, Arena)})
     */
    public static NpyArray read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(new ChannelSource(ch, file.toString()));
        }
    }

    /**
     * Reads the bytes of a {@code .npy} file into a Java array.
     *
     * @param bytes the whole file
     * @return its shape and elements
     * @throws IOException if the bytes are not a supported {@code .npy} file
     */
    public static NpyArray read(byte[] bytes) throws IOException {
        return read(new ArraySource(Objects.requireNonNull(bytes, "bytes")));
    }

    /**
     * Reads a file into a new tensor.
     *
     * @param file a {@code .npy} file
     * @param arena owns the tensor's memory
     * @return a tensor of the file's shape
     * @throws IOException if the file cannot be read or is not a supported {@code .npy} file
     */
    public static Tensor readTensor(Path file, Arena arena) throws IOException {
        Objects.requireNonNull(arena, "arena");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readTensor(new ChannelSource(ch, file.toString()), arena);
        }
    }

    /**
     * Reads the bytes of a {@code .npy} file into a new tensor.
     *
     * @param bytes the whole file
     * @param arena owns the tensor's memory
     * @return a tensor of the file's shape
     * @throws IOException if the bytes are not a supported {@code .npy} file
     */
    public static Tensor readTensor(byte[] bytes, Arena arena) throws IOException {
        Objects.requireNonNull(arena, "arena");
        return readTensor(new ArraySource(Objects.requireNonNull(bytes, "bytes")), arena);
    }

    private static NpyArray read(Source src) throws IOException {
        Header h = Header.read(src);
        if (h.count > MAX_ARRAY) {
            throw new IllegalArgumentException(src.name() + ": shape " + Shapes.format(h.shape) + " has " + h.count
                    + " elements, too many for a Java array; read it into a Tensor");
        }
        float[] data = new float[(int) h.count];
        readData(src, h, (index, chunk, length) -> System.arraycopy(chunk, 0, data, (int) index, length));
        return new NpyArray(h.shape, data);
    }

    private static Tensor readTensor(Source src, Arena arena) throws IOException {
        Header h = Header.read(src);
        Tensor t = Tensor.allocate(arena, h.shape);
        MemorySegment seg = t.segment();
        readData(src, h, (index, chunk, length) ->
                MemorySegment.copy(chunk, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, index * Float.BYTES, length));
        return t;
    }

    /** Receives converted elements {@code [index, index+length)}. */
    private interface Sink {
        void accept(long index, float[] chunk, int length);
    }

    private static void readData(Source src, Header h, Sink sink) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(h.order);
        float[] chunk = new float[CHUNK_BYTES / h.itemSize];
        long position = h.dataOffset;
        long index = 0;
        while (index < h.count) {
            int n = (int) Math.min(chunk.length, h.count - index);
            buf.clear().limit(n * h.itemSize);
            src.readFully(position, buf);
            buf.flip();
            if (h.itemSize == Float.BYTES) {
                buf.asFloatBuffer().get(chunk, 0, n);
            } else {
                for (int i = 0; i < n; i++) {
                    chunk[i] = (float) buf.getDouble();
                }
            }
            sink.accept(index, chunk, n);
            position += (long) n * h.itemSize;
            index += n;
        }
    }

    /** What a header says, checked against the source's length. */
    private record Header(long[] shape, long count, ByteOrder order, int itemSize, long dataOffset) {

        static Header read(Source src) throws IOException {
            long size = src.size();
            String name = src.name();
            if (size < 10) {
                throw new IOException(name + ": truncated: " + size + " bytes, shorter than any .npy header");
            }
            ByteBuffer start = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            start.limit((int) Math.min(12, size));
            src.readFully(0, start);
            start.flip();
            byte[] magic = new byte[MAGIC.length];
            start.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(name + ": not a .npy file: it does not start with \\x93NUMPY");
            }
            int major = Byte.toUnsignedInt(start.get());
            int minor = Byte.toUnsignedInt(start.get());
            if (major < 1 || major > 3 || minor != 0) {
                throw new IOException(name + ": unsupported .npy format version " + major + "." + minor
                        + " (supported: 1.0, 2.0, 3.0)");
            }
            int prefix = major == 1 ? 10 : 12;
            if (size < prefix) {
                throw new IOException(name + ": truncated: " + size + " bytes, shorter than a version " + major
                        + ".0 header's " + prefix + "-byte prefix");
            }
            long headerLength = major == 1 ? Short.toUnsignedInt(start.getShort()) : Integer.toUnsignedLong(start.getInt());
            if (headerLength > MAX_HEADER_BYTES) {
                throw new IOException(name + ": header length " + headerLength + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            if (prefix + headerLength > size) {
                throw new IOException(name + ": truncated: header of " + headerLength + " bytes claimed, but only "
                        + (size - prefix) + " bytes follow the prefix");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            src.readFully(prefix, headerBytes);
            String text = new String(headerBytes.array(),
                    major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            HeaderParser.Fields f = new HeaderParser(text, name).parse();

            ByteOrder order;
            int itemSize;
            switch (f.descr()) {
                case "<f4" -> { order = ByteOrder.LITTLE_ENDIAN; itemSize = 4; }
                case ">f4" -> { order = ByteOrder.BIG_ENDIAN; itemSize = 4; }
                case "<f8" -> { order = ByteOrder.LITTLE_ENDIAN; itemSize = 8; }
                case ">f8" -> { order = ByteOrder.BIG_ENDIAN; itemSize = 8; }
                default -> throw new IOException(name + ": unsupported dtype '" + f.descr()
                        + "' (supported: '<f4', '>f4', and '<f8', '>f8' converted to float32)");
            }
            if (f.fortranOrder()) {
                throw new IOException(name + ": fortran_order True is not supported; save the array in C order"
                        + " (numpy.ascontiguousarray)");
            }
            long count;
            long dataBytes;
            try {
                // The parser has rejected negative dimensions: only the size can fail here.
                count = Shapes.elementCount(f.shape());
                dataBytes = Math.multiplyExact(count, itemSize);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IOException(name + ": shape " + Shapes.format(f.shape()) + " has more bytes than a file can",
                        e);
            }
            long dataOffset = prefix + headerLength;
            long actual = size - dataOffset;
            if (actual < dataBytes) {
                throw new IOException(name + ": truncated data: shape " + Shapes.format(f.shape()) + " of '" + f.descr()
                        + "' needs " + dataBytes + " bytes but only " + actual + " follow the header");
            }
            if (actual > dataBytes) {
                throw new IOException(name + ": " + (actual - dataBytes) + " trailing bytes after the " + dataBytes
                        + " bytes of data that shape " + Shapes.format(f.shape()) + " of '" + f.descr() + "' needs");
            }
            return new Header(f.shape(), count, order, itemSize, dataOffset);
        }
    }

    /** Random-access bytes of a whole file. */
    private interface Source {
        long size() throws IOException;

        /** Fills {@code dst} from {@code position}; the header check guarantees the bytes exist. */
        void readFully(long position, ByteBuffer dst) throws IOException;

        String name();
    }

    private record ChannelSource(FileChannel channel, String name) implements Source {
        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
            long p = position;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, p);
                if (n < 0) {
                    throw new IOException(name + ": ended early at byte " + p + " (was it truncated while being read?)");
                }
                p += n;
            }
        }
    }

    private record ArraySource(byte[] bytes) implements Source {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) {
            dst.put(bytes, (int) position, dst.remaining());
        }

        @Override
        public String name() {
            return "npy bytes";
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes an array to a file (created or replaced).
     *
     * @param file the destination
     * @param array the array
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, NpyArray array) throws IOException {
        Objects.requireNonNull(array, "array");
        write(file, array.data(), array.shape());
    }

    /**
     * Writes elements in C order to a file (created or replaced).
     *
     * @param file the destination
     * @param data as many elements as {@code shape} holds
     * @param shape the dimensions; none for a scalar
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if {@code data} does not fit {@code shape}
     */
    public static void write(Path file, float[] data, long... shape) throws IOException {
        Objects.requireNonNull(data, "data");
        requireCount(data.length, shape);
        write(file, shape, MemorySegment.ofArray(data));
    }

    /**
     * Writes a tensor to a file (created or replaced).
     *
     * @param file the destination
     * @param tensor the tensor; its arena must be open
     * @throws IOException if the file cannot be written
     */
    public static void write(Path file, Tensor tensor) throws IOException {
        Objects.requireNonNull(tensor, "tensor");
        write(file, tensor.shape(), tensor.segment());
    }

    /**
     * The bytes of a {@code .npy} file holding {@code data}.
     *
     * @param data as many elements as {@code shape} holds
     * @param shape the dimensions; none for a scalar
     * @return the file's bytes
     * @throws IllegalArgumentException if {@code data} does not fit {@code shape}
     */
    public static byte[] toBytes(float[] data, long... shape) {
        Objects.requireNonNull(data, "data");
        requireCount(data.length, shape);
        byte[] header = header(shape);
        if (header.length + (long) data.length * Float.BYTES > MAX_ARRAY) {
            throw new IllegalArgumentException("a .npy file of " + data.length + " floats is too large for a byte array;"
                    + " write it to a file");
        }
        ByteBuffer out = ByteBuffer.allocate(header.length + data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header).asFloatBuffer().put(data);
        return out.array();
    }

    private static void write(Path file, long[] shape, MemorySegment floats) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] header = header(shape);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(header));
            long count = floats.byteSize() / Float.BYTES;
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            MemorySegment bufSegment = MemorySegment.ofBuffer(buf);
            for (long i = 0; i < count; ) {
                int n = (int) Math.min(CHUNK_BYTES / Float.BYTES, count - i);
                MemorySegment.copy(floats, ValueLayout.JAVA_FLOAT_UNALIGNED, i * Float.BYTES, bufSegment, FLOAT_LE, 0, n);
                buf.clear().limit(n * Float.BYTES);
                writeFully(ch, buf);
                i += n;
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Magic, version, header length and the padded dict, so that the data starts 64-byte aligned. */
    private static byte[] header(long[] shape) {
        StringBuilder dims = new StringBuilder("(");
        for (int d = 0; d < shape.length; d++) {
            dims.append(d == 0 ? "" : ", ").append(shape[d]);
        }
        dims.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + dims + ", }";
        boolean v1 = dict.length() + 1 + ALIGNMENT - 1 <= 0xFFFF;
        int prefix = v1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        int headerLength = total - prefix;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static void requireCount(int length, long[] shape) {
        long count = elementCount(shape);
        if (count != length) {
            throw new IllegalArgumentException("data has " + length + " elements, shape " + Shapes.format(shape)
                    + " holds " + count);
        }
    }

    /** Element count of a shape; dimensions must be non-negative. */
    static long elementCount(long[] shape) {
        return Shapes.elementCount(Objects.requireNonNull(shape, "shape"));
    }
}
