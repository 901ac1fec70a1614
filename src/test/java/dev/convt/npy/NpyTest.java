package dev.convt.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.Tensor;
import dev.convt.internal.Shapes;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyTest {

    @TempDir
    Path dir;

    private static float[] sample(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i * 0.5f - 1;
        }
        return a;
    }

    // ------------------------------------------------------------------ round trips

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "7", "2,3", "2,0,3", "1,2,3,4", "2,1,1,3,1,2"})
    void roundTripsThroughBytesFilesAndTensors(String dims) throws IOException {
        long[] shape = dims.isEmpty() ? new long[0] : Arrays.stream(dims.split(",")).mapToLong(Long::parseLong).toArray();
        int count = (int) Shapes.elementCount(shape);
        float[] data = sample(count);

        byte[] bytes = Npy.toBytes(data, shape);
        assertEquals(new NpyArray(shape, data), Npy.read(bytes));

        Path file = dir.resolve("a.npy");
        Npy.write(file, data, shape);
        assertArrayEquals(bytes, Files.readAllBytes(file), "file and byte forms are identical");
        assertEquals(new NpyArray(shape, data), Npy.read(file));

        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Npy.readTensor(file, arena);
            assertArrayEquals(shape, t.shape());
            assertArrayEquals(data, t.toArray());
            Path copy = dir.resolve("b.npy");
            Npy.write(copy, t);
            assertArrayEquals(bytes, Files.readAllBytes(copy));
            assertArrayEquals(data, Npy.readTensor(bytes, arena).toArray());
        }
    }

    @Test
    void roundTripKeepsEveryBitPattern() throws IOException {
        float[] data = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            Float.MAX_VALUE, Float.intBitsToFloat(0x7fc01234)};
        float[] back = Npy.read(Npy.toBytes(data, data.length)).data();
        for (int i = 0; i < data.length; i++) {
            assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(back[i]), "element " + i);
        }
    }

    @Test
    void writesNumpysVersionOneLayoutWithTheDataAligned() {
        byte[] bytes = Npy.toBytes(new float[] {1.5f, -2f}, 2);
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.ISO_8859_1));
        assertEquals(1, bytes[6]);
        assertEquals(0, bytes[7]);
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data starts 64-byte aligned");
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"), header);
        assertTrue(header.endsWith("\n"));
        ByteBuffer data = ByteBuffer.wrap(bytes, 10 + headerLength, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.5f, data.getFloat());
        assertEquals(-2f, data.getFloat());
    }

    @Test
    void writeRejectsDataThatDoesNotFitTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.toBytes(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("5") && e.getMessage().contains("6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("x.npy"), new float[0], -1));
        assertThrows(IllegalArgumentException.class, () -> new NpyArray(new long[] {2}, new float[3]));
    }

    // ------------------------------------------------------------------ files NumPy wrote

    private static byte[] numpyFile(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /npy/" + name);
            }
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_v1.npy", "f4_v2.npy", "f4_v3.npy", "f4_big_endian.npy", "f8_little_endian.npy",
        "f8_big_endian.npy"})
    void readsEveryAcceptedVariantNumpyWrites(String name) throws IOException {
        byte[] bytes = numpyFile(name);
        NpyArray a = Npy.read(bytes);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, a.data());
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(a.data(), Npy.readTensor(bytes, arena).toArray());
        }
    }

    @Test
    void numpysVersionsAreTheOnesAskedFor() throws IOException {
        assertEquals(1, numpyFile("f4_v1.npy")[6]);
        assertEquals(2, numpyFile("f4_v2.npy")[6]);
        assertEquals(3, numpyFile("f4_v3.npy")[6]);
    }

    @Test
    void readsNumpyRankFourScalarAndZeroSizeArrays() throws IOException {
        NpyArray rank4 = Npy.read(numpyFile("f4_rank4.npy"));
        assertArrayEquals(new long[] {1, 2, 3, 2}, rank4.shape());
        assertArrayEquals(sample(12), rank4.data());
        NpyArray scalar = Npy.read(numpyFile("f4_scalar.npy"));
        assertEquals(0, scalar.rank());
        assertArrayEquals(new float[] {-1}, scalar.data());
        NpyArray empty = Npy.read(numpyFile("f4_zero_size.npy"));
        assertArrayEquals(new long[] {2, 0, 3}, empty.shape());
        assertEquals(0, empty.data().length);
    }

    @Test
    void float64BeyondFloat32RangeBecomesInfinity() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1e300).putDouble(0.1);
        byte[] file = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data.array());
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 0.1f}, Npy.read(file).data());
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_fortran_order.npy", "i4.npy", "f2.npy"})
    void rejectsWhatNumpyWritesButConvtCannotRead(String name) throws IOException {
        IOException e = assertThrows(IOException.class, () -> Npy.read(numpyFile(name)));
        String expected = name.startsWith("f4_fortran") ? "fortran_order" : name.startsWith("i4") ? "'<i4'" : "'<f2'";
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    // ------------------------------------------------------------------ malformed files

    /** A file with the given version, header text (padded as NumPy pads it) and data bytes. */
    private static byte[] npy(int major, String dict, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        StringBuilder header = new StringBuilder(dict);
        while ((prefix + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] text = header.toString().getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        return b.put(text).put(data).array();
    }

    private static byte[] floats(int n) {
        return new byte[n * 4];
    }

    private static void assertRejected(byte[] file, String... messageParts) {
        IOException e = assertThrows(IOException.class, () -> Npy.read(file));
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "message \"" + e.getMessage() + "\" lacks \"" + part + "\"");
        }
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IOException.class, () -> Npy.readTensor(file, arena));
        }
    }

    @Test
    void acceptsAHandMadeFileInEveryVersion() throws IOException {
        for (int major = 1; major <= 3; major++) {
            byte[] file = npy(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                    ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).array());
            assertArrayEquals(new float[] {2.5f}, Npy.read(file).data(), "version " + major);
        }
        // Python 2 NumPy wrote long dimensions with an L suffix, double-quoted keys are Python too.
        byte[] file = npy(1, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L, 1L)}", floats(2));
        assertArrayEquals(new long[] {2, 1}, Npy.read(file).shape());
    }

    @Test
    void rejectsFilesTooShortOrWithoutTheMagic() {
        assertRejected(new byte[0], "truncated", "0 bytes");
        assertRejected(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0}, "truncated");
        byte[] notNpy = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats(1));
        notNpy[1] = 'n';
        assertRejected(notNpy, "not a .npy file");
        byte[] v2Prefix = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 10, 0, 0};
        assertRejected(v2Prefix, "truncated", "prefix");
    }

    @Test
    void rejectsUnknownVersions() {
        byte[] v4 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats(1));
        v4[6] = 4;
        assertRejected(v4, "version 4.0");
        byte[] v11 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats(1));
        v11[7] = 1;
        assertRejected(v11, "version 1.1");
    }

    @Test
    void rejectsHeaderLengthsBeyondTheFileOrTheLimit() {
        byte[] file = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats(1));
        file[8] = (byte) 0xff;
        file[9] = (byte) 0x7f;
        assertRejected(file, "truncated", "header of 32767 bytes");
        byte[] huge = npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats(1));
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7fffffff);
        assertRejected(huge, "header length 2147483647 exceeds the limit");
    }

    @Test
    void rejectsDataShorterOrLongerThanTheShape() {
        byte[] full = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", floats(6));
        assertRejected(Arrays.copyOf(full, full.length - 1), "truncated data", "needs 24 bytes", "only 23");
        assertRejected(Arrays.copyOf(full, full.length + 3), "3 trailing bytes");
        byte[] f8 = npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", floats(6));
        assertRejected(f8, "needs 48 bytes", "only 24");
    }

    @Test
    void hugeClaimedShapeInATinyFileFailsBeforeAllocating() {
        byte[] file = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000, 1000), }",
                floats(1));
        assertRejected(file, "truncated data", "needs 4000000000000000 bytes");
        byte[] overflow = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
                floats(1));
        assertRejected(overflow, "more bytes than a file can");
        byte[] tooLong = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                floats(1));
        assertRejected(tooLong, "too large");
    }

    @Test
    void arrayTooLargeForJavaIsRefusedButReadableAsTensorSize() throws IOException {
        // A sparse file: 2^31 floats claimed and present (8 GiB of holes), too many for a float[].
        byte[] header = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648,), }", new byte[0]);
        Path file = dir.resolve("big.npy");
        Files.write(file, header);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(header.length + (1L << 31) * 4);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().contains("too many for a Java array"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), } => fortran_order True",
        "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), } => unsupported dtype '<i8'",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), } => unsupported dtype '|u1'",
        "{'fortran_order': False, 'shape': (2, 3), } => missing key 'descr'",
        "{'descr': '<f4', 'shape': (2, 3), } => missing key 'fortran_order'",
        "{'descr': '<f4', 'fortran_order': False, } => missing key 'shape'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1, } => unexpected key 'extra'",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } => duplicate key 'descr'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6), } => not a tuple",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], } => expected '('",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), } => negative dimension",
        "{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3), } => expected True or False",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), } => expected ',' or '}'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) }x => unexpected text after the header",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3), } => expected ',' or '}'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), } => expected ',' or ')'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3),  => expected a quoted string",
        "'descr': '<f4' => expected '{'",
        "{'descr': '<\\f4', 'fortran_order': False, 'shape': (2, 3), } => escape sequences",
    })
    void rejectsMalformedOrUnsupportedHeaders(String caseText) {
        String[] parts = caseText.split(" => ");
        assertRejected(npy(1, parts[0], floats(6)), "npy bytes", parts[1]);
    }

    @Test
    void fileErrorsNameTheFile() throws IOException {
        Path file = dir.resolve("bad.npy");
        Files.write(file, new byte[] {1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void writtenTensorOfAClosedArenaFailsCleanly() {
        Tensor t;
        try (Arena arena = Arena.ofConfined()) {
            t = Tensor.allocate(arena, 2);
        }
        Tensor closed = t;
        assertThrows(IllegalStateException.class, () -> Npy.write(dir.resolve("c.npy"), closed));
    }

    @Test
    void largeArraysCrossChunkBoundaries() throws IOException {
        float[] data = sample(70_007);
        Path file = dir.resolve("large.npy");
        Npy.write(file, data, 7, 10_001);
        assertArrayEquals(data, Npy.read(file).data());
        byte[] be = npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (70007,), }", bigEndian(data));
        assertArrayEquals(data, Npy.read(be).data());
    }

    private static byte[] bigEndian(float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.BIG_ENDIAN);
        for (float f : data) {
            b.putFloat(f);
        }
        return b.array();
    }
}
