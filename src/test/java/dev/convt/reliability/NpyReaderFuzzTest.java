package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.Tensor;
import dev.convt.npy.Npy;
import dev.convt.npy.NpyArray;
import dev.convt.testing.Gen;
import dev.convt.testing.PropertyCheck;
import dev.convt.testing.Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link Npy}'s readers with {@link PropertyCheck}: mutations of a seed corpus of real and handcrafted
 * files ({@code src/test/resources/reliability/npy/seeds}), headers generated from the dict
 * grammar, and raw bytes. Whatever the bytes, each reader either returns the array or throws an
 * {@link IOException}, within a time limit and without a large allocation; and the four ways of
 * reading (byte array or file, into an array or a tensor) agree on every input.
 *
 * <p>A failing input is shrunk to a seed name and a short list of mutations; the report gives
 * it and the seed that replays it. Inputs that once failed are kept as regression tests in
 * {@code src/test/resources/reliability/npy/regressions}.
 */
class NpyReaderFuzzTest {

    private static final Duration READ_TIME_LIMIT = Duration.ofSeconds(10);
    private static final Path SCRATCH;
    private static final Map<String, byte[]> SEEDS = new TreeMap<>();
    private static final Watchdog READER = new Watchdog("convt-npy-fuzz-reader", READ_TIME_LIMIT);

    static {
        try {
            SCRATCH = Files.createTempDirectory("convt-npy-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void loadSeeds() throws IOException, URISyntaxException {
        Path dir = Path.of(NpyReaderFuzzTest.class.getResource("/reliability/npy/seeds").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                SEEDS.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
    }

    @AfterAll
    static void removeScratch() throws IOException {
        READER.close();
        try (Stream<Path> files = Files.list(SCRATCH)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(SCRATCH);
    }

    // ------------------------------------------------------------------ what a read may do

    /** A reader's result: the array, or the documented exception. */
    private record Outcome(NpyArray array, IOException rejection) {
        boolean accepted() {
            return array != null;
        }
    }

    private interface Read {
        NpyArray run() throws IOException;
    }

    /** Runs one reader; anything but an array or an IOException with a message fails the test. */
    private static Outcome outcome(String reader, byte[] input, Read read) {
        try {
            return READER.call(reader + " on " + hex(input), () -> {
                try {
                    return new Outcome(read.run(), null);
                } catch (IOException e) {
                    return new Outcome(null, e);
                }
            });
        } catch (AssertionError e) {
            throw e;
        } catch (Exception | Error e) {
            throw new AssertionError(reader + " threw an undocumented " + e + " on " + hex(input), e);
        }
    }

    /** Reads {@code bytes} from a byte array, into a tensor, and from a file; all must agree. */
    static Outcome readEverywhere(byte[] bytes) throws IOException {
        Outcome fromBytes = outcome("Npy.read(byte[])", bytes, () -> Npy.read(bytes));
        Outcome intoTensor = outcome("Npy.readTensor(byte[], Arena)", bytes, () -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor t = Npy.readTensor(bytes, arena);
                return new NpyArray(t.shape(), t.toArray());
            }
        });
        Path file = Files.write(SCRATCH.resolve("input.npy"), bytes);
        Outcome fromFile = outcome("Npy.read(Path)", bytes, () -> Npy.read(file));
        Outcome fileIntoTensor = outcome("Npy.readTensor(Path, Arena)", bytes, () -> {
            try (Arena arena = Arena.ofConfined()) {
                Tensor t = Npy.readTensor(file, arena);
                return new NpyArray(t.shape(), t.toArray());
            }
        });
        for (Outcome o : List.of(fromBytes, intoTensor, fromFile, fileIntoTensor)) {
            if (!o.accepted()) {
                String message = o.rejection().getMessage();
                assertTrue(message != null && !message.isBlank(), "an IOException without a message on " + hex(bytes));
            }
        }
        assertEquals(fromBytes.accepted(), intoTensor.accepted(), () -> "read and readTensor disagree on " + hex(bytes)
                + ": " + fromBytes + " vs " + intoTensor);
        assertEquals(fromBytes.accepted(), fromFile.accepted(), () -> "byte and file readers disagree on " + hex(bytes)
                + ": " + fromBytes + " vs " + fromFile);
        assertEquals(fromBytes.accepted(), fileIntoTensor.accepted(), () -> "read and readTensor(Path) disagree on "
                + hex(bytes) + ": " + fromBytes + " vs " + fileIntoTensor);
        if (fromBytes.accepted()) {
            assertEquals(fromBytes.array(), intoTensor.array(), () -> "read and readTensor differ on " + hex(bytes));
            assertEquals(fromBytes.array(), fromFile.array(), () -> "byte and file readers differ on " + hex(bytes));
            assertEquals(fromBytes.array(), fileIntoTensor.array(), () -> "read and readTensor(Path) differ on " + hex(bytes));
            NpyArray again = Npy.read(Npy.toBytes(fromBytes.array().data(), fromBytes.array().shape()));
            assertEquals(fromBytes.array(), again, () -> "an accepted array does not survive a write and read: " + hex(bytes));
        }
        return fromBytes;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length + " bytes: ");
        for (int i = 0; i < b.length && i < 400; i++) {
            int c = b[i] & 0xff;
            s.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.append(b.length > 400 ? "..." : "").toString();
    }

    // ------------------------------------------------------------------ the seed corpus itself

    @Test
    void seedsAreReadOrRefusedAsTheirNamesSay() throws IOException {
        assertTrue(SEEDS.size() >= 15, "seed corpus: " + SEEDS.keySet());
        for (var seed : SEEDS.entrySet()) {
            Outcome o = readEverywhere(seed.getValue());
            assertEquals(!seed.getKey().contains("refused"), o.accepted(), seed.getKey() + ": " + o);
        }
        assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, Npy.read(SEEDS.get("f4_2x3.npy")).data());
        assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, Npy.read(SEEDS.get("f4_big_endian.npy")).data());
        assertArrayEquals(new float[] {1, -2.5f, Float.POSITIVE_INFINITY, 0}, Npy.read(SEEDS.get("f8_2x2.npy")).data(),
                "f8 rounds to nearest float: 1e300 overflows to infinity, 5e-324 underflows to 0");
        assertArrayEquals(new float[] {0.1f, -0f, Float.POSITIVE_INFINITY}, Npy.read(SEEDS.get("f8_big_endian.npy")).data());
        assertArrayEquals(new long[] {0, Long.MAX_VALUE}, Npy.read(SEEDS.get("f4_zero_dim_times_huge.npy")).shape());
    }

    // ------------------------------------------------------------------ mutations of the seeds

    /** One edit of a file's bytes. Positions are taken modulo the length, so every edit applies. */
    sealed interface Mutation {
        byte[] apply(byte[] b);
    }

    record FlipBit(int position, int bit) implements Mutation {
        public byte[] apply(byte[] b) {
            if (b.length == 0) {
                return b;
            }
            byte[] c = b.clone();
            c[Math.floorMod(position, c.length)] ^= (byte) (1 << bit);
            return c;
        }
    }

    record SetByte(int position, byte value) implements Mutation {
        public byte[] apply(byte[] b) {
            if (b.length == 0) {
                return b;
            }
            byte[] c = b.clone();
            c[Math.floorMod(position, c.length)] = value;
            return c;
        }
    }

    record Insert(int position, String text) implements Mutation {
        public byte[] apply(byte[] b) {
            int at = Math.floorMod(position, b.length + 1);
            byte[] t = text.getBytes(StandardCharsets.UTF_8);
            byte[] c = new byte[b.length + t.length];
            System.arraycopy(b, 0, c, 0, at);
            System.arraycopy(t, 0, c, at, t.length);
            System.arraycopy(b, at, c, at + t.length, b.length - at);
            return c;
        }
    }

    record Delete(int position, int length) implements Mutation {
        public byte[] apply(byte[] b) {
            int at = Math.floorMod(position, b.length + 1);
            int n = Math.min(length, b.length - at);
            byte[] c = new byte[b.length - n];
            System.arraycopy(b, 0, c, 0, at);
            System.arraycopy(b, at + n, c, at, b.length - at - n);
            return c;
        }
    }

    record Truncate(int length) implements Mutation {
        public byte[] apply(byte[] b) {
            return Arrays.copyOf(b, Math.min(length, b.length));
        }
    }

    /** Overwrites the header-length field (2 bytes in version 1, 4 in versions 2 and 3). */
    record HeaderLength(long value) implements Mutation {
        public byte[] apply(byte[] b) {
            if (b.length < 12) {
                return b;
            }
            byte[] c = b.clone();
            ByteBuffer f = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
            if (c[6] == 1) {
                f.putShort(8, (short) value);
            } else {
                f.putInt(8, (int) value);
            }
            return c;
        }
    }

    /** Replaces the text from the first '(' to the next ')' (the shape) by another tuple. */
    record ReplaceShape(String tuple) implements Mutation {
        public byte[] apply(byte[] b) {
            String s = new String(b, StandardCharsets.ISO_8859_1);
            int open = s.indexOf('(');
            int close = s.indexOf(')', Math.max(open, 0));
            if (open < 0 || close < 0) {
                return b;
            }
            return (s.substring(0, open) + tuple + s.substring(close + 1)).getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    record Append(int length, byte value) implements Mutation {
        public byte[] apply(byte[] b) {
            byte[] c = Arrays.copyOf(b, b.length + length);
            Arrays.fill(c, b.length, c.length, value);
            return c;
        }
    }

    /** A seed and the edits applied to it, in order; its toString is the reproduction. */
    record Mutated(String seed, List<Mutation> mutations) {
        byte[] bytes() {
            byte[] b = SEEDS.get(seed);
            for (Mutation m : mutations) {
                b = m.apply(b);
            }
            return b;
        }
    }

    private static final String[] TOKENS = {"0", "1", "9", "-1", "L", ",", ", ", ")", "(", "((", "'", "\"", ":", "{", "}",
        "\\", "\\'", "True", "False", "None", "'descr': '<f4', ", "'shape': (), ", "'fortran_order': True, ",
        "'extra': 1, ", "99999999999999999999", "9223372036854775807", "4294967296", "2147483648", "\u0000", "\n",
        "\t", "\u00e9", "\u2028", "'<f8'", "'|f4'", "'<f2'", "'<c8'", "'f4'"};

    private static final String[] DIMS = java.util.stream.LongStream.of(0, 1, 2, 3, 7, 255, 65535, 1L << 20, Integer.MAX_VALUE, 1L << 31, 1L << 32,
        (1L << 61) - 1, 1L << 61, 1L << 62, Long.MAX_VALUE).mapToObj(String::valueOf).toArray(String[]::new);

    private static String tuple(Source s) {
        Gen<String> dim = t -> switch (t.nextInt(3)) {
            case 0 -> t.pick(DIMS);
            case 1 -> String.valueOf(t.between(0, 40));
            default -> t.pick("99999999999999999999", "-3", "", "2L", " 4 ", "0x10", "1e3", "٣");
        };
        return "(" + String.join(", ", s.list(0, 6, dim)) + s.pick("", ",", ", ", ",,") + ")";
    }

    private static Mutation mutation(Source s) {
        Gen<Integer> position = t -> t.nextBoolean() ? t.between(0, 140) : t.between(0, Integer.MAX_VALUE);
        return switch (s.nextInt(8)) {
            case 0 -> new FlipBit(position.draw(s), s.between(0, 7));
            case 1 -> new SetByte(position.draw(s), (byte) s.between(-128, 127));
            case 2 -> new Insert(position.draw(s), s.pick(TOKENS));
            case 3 -> new Delete(position.draw(s), s.between(1, 40));
            case 4 -> new Truncate(s.between(0, 200));
            case 5 -> new HeaderLength(s.pickLong(0L, 1L, 10L, 64L, 117L, 118L, 119L, 0xFFFFL, 0x10000L, 1L << 20, (1L << 20) + 1,
                    0x7FFF_FFFFL, 0xFFFF_FFFFL));
            case 6 -> new ReplaceShape(tuple(s));
            default -> new Append(s.between(1, 64), (byte) s.between(-128, 127));
        };
    }

    @Test
    void mutatedSeedsAreReadOrRejectedWithAnIOException() {
        List<String> seeds = List.copyOf(SEEDS.keySet());
        PropertyCheck.forAll(s -> new Mutated(s.pick(seeds), s.list(1, 6, NpyReaderFuzzTest::mutation)))
                .check(input -> readEverywhere(input.bytes()));
    }

    // ------------------------------------------------------------------ headers from the grammar

    /** A header assembled from dict entries, in a given version, with a given data length. */
    record Generated(int major, List<String> entries, String trailer, int dataBytes) {
        byte[] bytes() {
            String dict = "{" + String.join(", ", entries) + trailer;
            byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            int prefix = major == 1 ? 10 : 12;
            ByteBuffer b = ByteBuffer.allocate(prefix + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
            if (major == 1) {
                b.putShort((short) text.length);
            } else {
                b.putInt(text.length);
            }
            b.put(text);
            for (int i = 0; i < dataBytes; i++) {
                b.put((byte) (i * 37));
            }
            return b.array();
        }
    }

    private static Generated generatedHeader(Source s) {
        Gen<String> descr = t -> {
            String q = t.pick("'", "\"");
            return "%sdescr%s: %s%s%s".formatted(q, q, q, t.pick("<f4", ">f4", "<f8", ">f8", "=f4", "|f4", "<f2", "<i4", "f4",
                    "", "<f4 ", "<F4"), q);
        };
        Gen<String> fortran = t -> t.pick("'fortran_order': False", "'fortran_order': True", "'fortran_order': 0",
                "'fortran_order': Falsey", "\"fortran_order\":False");
        Gen<String> shape = t -> "'shape': " + tuple(t);
        Gen<String> other = t -> t.pick("'extra': 1", "'descr': '<f4'", "'shape': (1,)", "", "'shape' (1,)", "'shape': [1]",
                "'descr'");
        Gen<String> entry = t -> switch (t.weighted(3, 3, 3, 1)) {
            case 0 -> descr.draw(t);
            case 1 -> fortran.draw(t);
            case 2 -> shape.draw(t);
            default -> other.draw(t);
        };
        int major = s.between(1, 3);
        List<String> entries = s.nextBoolean()
                ? s.shuffle(new java.util.ArrayList<>(List.of(descr.draw(s), fortran.draw(s), shape.draw(s))))
                : s.list(0, 5, entry);
        String trailer = s.pick("}", ", }", ",}", " }\n", "}   \n", "", "}}", "} x", ",, }");
        int data = s.nextBoolean() ? s.pickInt(0, 4, 8, 16, 24, 48) : s.between(0, 300);
        return new Generated(major, entries, trailer, data);
    }

    @Test
    void generatedHeadersAreReadOrRejectedWithAnIOException() {
        PropertyCheck.forAll(NpyReaderFuzzTest::generatedHeader).check(input -> readEverywhere(input.bytes()));
    }

    // ------------------------------------------------------------------ raw bytes

    /** Bytes that print readably in a failure report. */
    private record Bytes(byte[] bytes) {
        @Override
        public String toString() {
            return hex(bytes);
        }
    }

    /** Random bytes, or random bytes after the magic string and a version byte. */
    private static Bytes rawBytes(Source s) {
        int n = s.between(0, 300);
        byte[] t = new byte[n];
        for (int i = 0; i < n; i++) {
            t[i] = (byte) s.between(-128, 127);
        }
        if (s.nextBoolean()) {
            return new Bytes(t);
        }
        byte[] b = new byte[8 + t.length];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}, 0, b, 0, 6);
        b[6] = (byte) (1 + (t.length % 3));
        System.arraycopy(t, 0, b, 8, t.length);
        return new Bytes(b);
    }

    @Test
    void rawBytesAreReadOrRejectedWithAnIOException() {
        PropertyCheck.forAll(NpyReaderFuzzTest::rawBytes).check(input -> readEverywhere(input.bytes()));
    }
}
