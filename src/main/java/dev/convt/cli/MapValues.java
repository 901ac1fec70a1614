package dev.convt.cli;

import dev.convt.internal.Shapes;
import dev.convt.npy.Npy;
import dev.convt.npy.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Where {@code convt explain} gets the numbers of a map: {@code iota} (1, 2, 3, ... row by row),
 * {@code ones}, {@code random} (whole numbers from -4 to 4, which keep every sum readable and
 * exact, from a fixed seed so that a run can be repeated), or a {@code .npy} file holding one map.
 */
final class MapValues {

    private enum Kind { IOTA, ONES, RANDOM, FILE }

    static final MapValues IOTA = new MapValues("", Kind.IOTA, null, null, 0);

    private final String option;
    private final Kind kind;
    private final String fileName;
    private final NpyArray file;
    private final Random random;

    private MapValues(String option, Kind kind, String fileName, NpyArray file, long seed) {
        this.option = option;
        this.kind = kind;
        this.fileName = fileName;
        this.file = file;
        this.random = new Random(seed);
    }

    /**
     * Parses an option's value.
     *
     * @param option the option, for error messages
     * @param text {@code iota}, {@code ones}, {@code random} or the path of a {@code .npy} file
     * @param seed the seed of {@code random}
     * @return the source
     * @throws CliException if the file is missing, unreadable or not one map
     */
    static MapValues parse(String option, String text, long seed) {
        Kind generator = switch (text) {
            case "iota" -> Kind.IOTA;
            case "ones" -> Kind.ONES;
            case "random" -> Kind.RANDOM;
            default -> null;
        };
        if (generator != null) {
            return new MapValues(option, generator, null, null, seed);
        }
        if (!Files.exists(FileOption.path(option, text))) {
            throw new CliException(option + " " + text + ": neither iota, ones, random nor an existing .npy file");
        }
        Path path = FileOption.input(option, text);
        NpyArray array;
        try {
            array = Npy.read(path);
        } catch (IOException e) {
            throw new CliException(option + " " + Main.ioMessage(e));
        }
        if (array.rank() != 1 && array.rank() != 2) {
            throw new CliException(option + " " + text + " has shape " + Shapes.format(array.shape())
                    + "; explain takes one map, (H, W) or, for 1-D, (W,)");
        }
        for (long d : array.shape()) {
            if (d < 1) {
                throw new CliException(option + " " + text + " has shape " + Shapes.format(array.shape())
                        + "; every dimension must be at least 1");
            }
        }
        return new MapValues(option, Kind.FILE, text, array, seed);
    }

    boolean isFile() {
        return file != null;
    }

    /** {@return the file's map size, {@code {H, W}} or {@code {W}}; null for a generator} */
    int[] fileSize() {
        if (file == null) {
            return null;
        }
        long[] shape = file.shape();
        return shape.length == 1 ? new int[] {(int) shape[0]} : new int[] {(int) shape[0], (int) shape[1]};
    }

    /**
     * The numbers of a {@code rows x columns} map.
     *
     * @param what names the map in error messages
     * @param oneDimensional whether the map is a 1-D row (then a file must have rank 1)
     * @throws CliException if a file's map has another size
     */
    float[][] map(String what, int rows, int columns, boolean oneDimensional) {
        float[][] map = new float[rows][columns];
        if (file != null) {
            int[] expected = oneDimensional ? new int[] {columns} : new int[] {rows, columns};
            if (!Arrays.equals(fileSize(), expected)) {
                throw new CliException(option + " " + fileName + " has shape " + Shapes.format(file.shape()) + ", but "
                        + what + " is " + Shapes.format(oneDimensional ? new long[] {columns} : new long[] {rows, columns}));
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                int index = r * columns + c;
                map[r][c] = switch (kind) {
                    case IOTA -> index + 1;
                    case ONES -> 1;
                    case RANDOM -> random.nextInt(9) - 4;
                    case FILE -> file.data()[index];
                };
            }
        }
        return map;
    }
}
