package dev.convt.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A titled map of numbers laid out for a terminal: one right-aligned column width for the whole
 * map, so that it reads as a matrix. Whole numbers print without a decimal point, others rounded
 * to three decimals; cells marked as placeholders print as {@code .} (the zeros the method
 * inserts, which are not input values).
 *
 * @param title the line above the map
 * @param values {@code [row][column]}
 * @param placeholders same shape as {@code values}, or null when no cell is a placeholder
 */
record Grid(String title, double[][] values, boolean[][] placeholders) {

    static final String PLACEHOLDER = ".";

    static Grid of(String title, double[][] values) {
        return new Grid(title, values, null);
    }

    static Grid of(String title, float[][] values) {
        return new Grid(title, widen(values), null);
    }

    static Grid marked(String title, float[][] values, boolean[][] placeholders) {
        return new Grid(title, widen(values), placeholders);
    }

    /** {@code values} laid out as {@code rows x columns}, row by row. */
    static Grid reshaped(String title, float[] values, int rows, int columns) {
        float[][] map = new float[rows][columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * columns, map[r], 0, columns);
        }
        return of(title, map);
    }

    /** {@return the title and then one line per row, without trailing spaces} */
    List<String> lines() {
        String[][] cells = new String[values.length][];
        int width = 1;
        for (int r = 0; r < values.length; r++) {
            cells[r] = new String[values[r].length];
            for (int c = 0; c < values[r].length; c++) {
                cells[r][c] = placeholders != null && placeholders[r][c] ? PLACEHOLDER : number(values[r][c]);
                width = Math.max(width, cells[r][c].length());
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(title);
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == 0 ? "" : " ").repeat(' ', width - row[c].length()).append(row[c]);
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /**
     * Grids next to each other, tops aligned, {@code gap} spaces apart.
     *
     * @param grids the grids, left to right
     * @param gap spaces between neighbours
     * @return the lines, without trailing spaces
     */
    static List<String> sideBySide(List<Grid> grids, int gap) {
        List<List<String>> blocks = grids.stream().map(Grid::lines).toList();
        int height = blocks.stream().mapToInt(List::size).max().orElse(0);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < height; i++) {
            StringBuilder line = new StringBuilder();
            for (int b = 0; b < blocks.size(); b++) {
                List<String> block = blocks.get(b);
                int width = block.stream().mapToInt(String::length).max().orElse(0);
                String part = i < block.size() ? block.get(i) : "";
                line.append(part);
                if (b < blocks.size() - 1) {
                    line.repeat(' ', width - part.length() + gap);
                }
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    /** Whole numbers as integers, anything else to three decimals without trailing zeros. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = new BigDecimal(v).setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    private static double[][] widen(float[][] values) {
        double[][] d = new double[values.length][];
        for (int r = 0; r < values.length; r++) {
            d[r] = new double[values[r].length];
            for (int c = 0; c < values[r].length; c++) {
                d[r][c] = values[r][c];
            }
        }
        return d;
    }
}
