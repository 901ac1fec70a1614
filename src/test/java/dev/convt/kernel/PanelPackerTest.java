package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convt.testing.PropertyCheck;
import dev.convt.testing.Source;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link PanelPacker} at its borders, from the outside: windows that start before the image, end
 * after it or miss it, on input segments exactly as large as the tensor (so the first and last
 * channels take the lane-by-lane path), with rows short and long enough for both window copies,
 * widths of whole vectors or not, and channels that are one slice of a 3-D volume. Every float
 * written must be the input pixel or zero, and nothing past the documented layout may be written.
 */
class PanelPackerTest {

    private static final int LANES = TileKernel.LANES;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    /** What the destination holds before packing; packing never writes a NaN. */
    private static final float UNWRITTEN = Float.NaN;

    /**
     * An input of {@code images} stacked channel volumes of {@code slices} planes, of which the
     * packer reads plane {@code slice} of {@code channels} channels from {@code firstChannel}, and
     * the region it packs.
     */
    private record Region(int images, int slices, int slice, int firstChannel, int channels, int height, int width,
            int row0, int rows, int col0, int columns) {

        long plane() {
            return (long) height * width;
        }

        long channelPitch() {
            return slices * plane();
        }
    }

    /**
     * A window region and its layout: the columns of (channel c, row r) from float
     * {@code at + c * channelPitch + r * rowPitch} on, channel-major or row-interleaved, with gaps.
     */
    private record Window(Region region, long channelPitch, long rowPitch, long at) {}

    private static Window window(Source s) {
        Region r = draw(s);
        long line = r.columns() + (long) LANES * s.between(0, 1);
        long spare = s.between(0, 2 * LANES);
        long at = s.between(0, 2 * LANES);
        return s.nextBoolean() ? new Window(r, r.rows() * line + spare, line, at)
                : new Window(r, line, r.channels() * line + spare, at);
    }

    private static Region draw(Source s) {
        int channels = s.between(1, 5);
        int firstChannel = s.between(0, 3);
        int images = firstChannel + channels + s.between(0, 2);
        int slices = s.weighted(2, 1) == 0 ? 1 : s.between(2, 4);
        int slice = s.between(0, slices - 1);
        int height = s.between(1, 12);
        // Up to 300 columns: the window copies rows of 128 image columns or more one by one.
        int width = s.weighted(3, 1) == 0 ? s.between(1, 40) : s.between(120, 300);
        int row0 = s.between(-4, height + 1);
        int rows = s.between(1, 8);
        int col0 = s.between(-2 * LANES, width + LANES);
        int columns = s.nextBoolean() ? LANES * s.between(1, Math.ceilDiv(width + 3 * LANES, LANES))
                : s.between(1, width + 3 * LANES);
        return new Region(images, slices, slice, firstChannel, channels, height, width, row0, rows, col0, columns);
    }

    /** {@return input pixel (c, y, x) of the packed channels, or 0 outside the image} */
    private static float pixel(Region r, MemorySegment in, int c, int y, int x) {
        if (y < 0 || y >= r.height() || x < 0 || x >= r.width()) {
            return 0f;
        }
        return in.getAtIndex(FLOAT, (r.firstChannel() + c) * r.channelPitch() + r.slice() * r.plane()
                + (long) y * r.width() + x);
    }

    /** An input of distinct non-zero values, exactly the tensor's size. */
    private static MemorySegment input(Arena arena, Region r) {
        long n = r.images() * r.channelPitch();
        MemorySegment in = arena.allocate(FLOAT, n);
        for (long i = 0; i < n; i++) {
            in.setAtIndex(FLOAT, i, i + 1);
        }
        return in;
    }

    private static PanelPacker.Source source(MemorySegment in, Region r) {
        return new PanelPacker.Source().set(in, r.firstChannel() * r.channelPitch() + r.slice() * r.plane(),
                r.channels(), r.channelPitch(), r.height(), r.width());
    }

    private static MemorySegment unwritten(Arena arena, long floats) {
        MemorySegment m = arena.allocate(FLOAT, floats);
        for (long i = 0; i < floats; i++) {
            m.setAtIndex(FLOAT, i, UNWRITTEN);
        }
        return m;
    }

    @Test
    void windowsHoldThePixelsAndZerosOutsideTheImage() {
        PropertyCheck.forAll(PanelPackerTest::window).tries(1500).check(v -> {
            Region r = v.region();
            long floats = v.at() + (r.channels() - 1) * v.channelPitch() + (r.rows() - 1) * v.rowPitch() + r.columns()
                    + LANES;
            float[] expected = new float[(int) floats];
            String[] where = new String[expected.length];
            Arrays.fill(expected, UNWRITTEN);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment in = input(arena, r);
                for (int c = 0; c < r.channels(); c++) {
                    for (int row = 0; row < r.rows(); row++) {
                        for (int x = 0; x < r.columns(); x++) {
                            int i = (int) (v.at() + c * v.channelPitch() + row * v.rowPitch() + x);
                            expected[i] = pixel(r, in, c, r.row0() + row, r.col0() + x);
                            where[i] = " (channel " + c + ", row " + row + ", column " + x + ")";
                        }
                    }
                }
                MemorySegment window = unwritten(arena, floats);
                PanelPacker.packWindow(source(in, r), r.row0(), r.rows(), r.col0(), r.columns(), v.channelPitch(),
                        v.rowPitch(), window, v.at());
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], window.getAtIndex(FLOAT, i), 0f, "window float " + i
                            + (where[i] == null ? ", outside the layout" : where[i]));
                }
            }
        });
    }
}
