package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.npy.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code convt explain} against examples worked by hand: input {@code [[1,2],[3,4]]} (iota) and a
 * 3x3 kernel, either all ones or 1..9 (iota, not symmetric, so a missing flip would show).
 */
class ExplainCommandTest {

    @TempDir
    Path dir;

    private static List<List<String>> rows(List<String[]> grid) {
        return grid.stream().map(Arrays::asList).toList();
    }

    private static List<List<String>> rows(String... lines) {
        return Arrays.stream(lines).map(l -> Arrays.asList(l.split(" "))).toList();
    }

    @Test
    void strideOneWithOnesKernelSumsTheInputsUnderEachWindow() {
        Cli.Result r = Cli.run("explain", "--kernel-values", "ones");
        r.output();
        assertEquals(rows("1 2", "3 4"), rows(r.grid("input X (2x2)")));
        assertEquals(rows(
                ". . . . . .",
                ". . . . . .",
                ". . 1 2 . .",
                ". . 3 4 . .",
                ". . . . . .",
                ". . . . . ."), rows(r.grid("padded (6x6)")));
        // Each output sums the inputs whose 3x3 window covers it.
        assertEquals(rows(
                "1 3 3 2",
                "4 10 10 6",
                "4 10 10 6",
                "3 7 7 4"), rows(r.grid("output Y (4x4)")));
        assertTrue(r.text().contains("Step 2: pad dilation*(k-1) - padding zeros around it: 1*(3-1) - 0 = 2 on every side"
                + " -> 6x6."), r.out());
        assertTrue(r.text().contains("For example Y[1][1] = 1*1 + 2*1 + 3*1 + 4*1 = 10"), r.out());
    }

    @Test
    void theDefaultIsExampleOneWithAnIotaKernelWhoseFlipShows() {
        Cli.Result r = Cli.run("explain");
        assertEquals(r.output(), Cli.output("explain", "--example", "1", "--values", "iota"));
        List<String[]> kernels = r.grid("kernel K (3x3)    flipped (3x3)");
        assertEquals(rows("1 2 3 9 8 7", "4 5 6 6 5 4", "7 8 9 3 2 1"), rows(kernels));
        assertEquals(rows(
                "1 4 7 6",
                "7 23 33 24",
                "19 53 63 42",
                "21 52 59 36"), rows(r.grid("output Y (4x4)")));
        assertTrue(r.text().contains("For example Y[1][1] = 1*5 + 2*4 + 3*2 + 4*1 = 23"), r.out());
    }

    @Test
    void strideTwoInsertsZerosBetweenThePixels() {
        Cli.Result r = Cli.run("explain", "--example", "2");
        r.output();
        assertEquals(rows("1 . 2", ". . .", "3 . 4"), rows(r.grid("zero-inserted (3x3)")));
        assertEquals(rows(
                "1 2 5 4 6",
                "4 5 14 10 12",
                "10 14 36 24 30",
                "12 15 34 20 24",
                "21 24 55 32 36"), rows(r.grid("output Y (5x5)")));
        assertTrue(r.text().contains("Step 1: insert stride-1 = 1 zero between neighbouring input pixels -> 3x3."));
        assertTrue(r.out().contains("width:  (2-1)*2 - 2*0 + 1*(3-1) + 0 + 1 = 5"), r.out());
    }

    @Test
    void paddingOneCutsTheBorderOfTheStrideTwoResult() {
        Cli.Result r = Cli.run("explain", "--example", "3");
        r.output();
        assertEquals(rows(". . . . .", ". 1 . 2 .", ". . . . .", ". 3 . 4 .", ". . . . ."), rows(r.grid("padded (5x5)")));
        assertEquals(rows("5 14 10", "14 36 24", "15 34 20"), rows(r.grid("output Y (3x3)")));
        assertTrue(r.text().contains("height: (2-1)*2 - 2*1 + 1*(3-1) + 0 + 1 = 3"), r.out());
        assertEquals(Cli.output("explain", "--example", "2", "--padding", "1"), r.out(), "flags give the same example");
    }

    @Test
    void theMatrixExampleHasAFourBySixteenMatrixWithTheKernelInEachRow() {
        Cli.Result r = Cli.run("explain", "--example", "4");
        r.output();
        // Row (oy, ox) of C holds kernel value K[a][b] at column (oy+a)*4 + (ox+b) of the flattened 4x4 input.
        assertEquals(rows(
                "1 2 3 0 4 5 6 0 7 8 9 0 0 0 0 0",
                "0 1 2 3 0 4 5 6 0 7 8 9 0 0 0 0",
                "0 0 0 0 1 2 3 0 4 5 6 0 7 8 9 0",
                "0 0 0 0 0 1 2 3 0 4 5 6 0 7 8 9"), rows(r.grid("C (4 x 16)")));
        // O = C * I for I = 1..16: row 0 is 1*1+2*2+3*3+4*5+5*6+6*7+7*9+8*10+9*11 = 348.
        assertTrue(r.out().contains("O = C * I:   (348, 393, 528, 573)"), r.out());
        assertEquals(rows("348 393", "528 573"), rows(r.grid("input X (2x2)")));
        List<List<String>> back = rows(r.grid("C^T * O (4x4)"));
        assertEquals(4, back.size());
        assertEquals(List.of("348", "1089", "1830", "1179"), back.getFirst(), "348*1, 348*2+393*1, ...");
        assertEquals(back, rows(r.grid("output Y (4x4)")), "the four steps compute C^T * O");
        assertTrue(r.text().contains("It has the size of I (4x4) but not its values"), r.out());
    }

    @Test
    void theMatrixViewOfEveryExampleAgreesWithTheSteps() {
        for (String example : new String[] {"1", "2", "3"}) {
            Cli.Result r = Cli.run("explain", "--example", example);
            r.output();
            assertTrue(r.text().contains(") is the output Y of step 4, flattened."), r.out());
        }
        Cli.Result r = Cli.run("explain", "--input", "3", "--kernel", "2", "--stride", "3", "--padding", "1",
                "--output-padding", "2", "--dilation", "2", "--values", "random");
        r.output();
        assertTrue(r.text().contains(") is the output Y of step 4, flattened."), r.out());
    }

    @Test
    void oneDimensionalExamplesHaveOneRow() {
        Cli.Result r = Cli.run("explain", "--input", "3", "--kernel", "2", "--stride", "2", "--output-padding", "1");
        r.output();
        assertEquals(rows("1 . 2 . 3"), rows(r.grid("zero-inserted (length 5)")));
        assertEquals(rows(". 1 . 2 . 3 . ."), rows(r.grid("padded (length 8)")));
        assertEquals(rows("1 2 2 4 3 6 0"), rows(r.grid("output Y (length 7)")));
        assertEquals(rows("1 2 0 0 0 0 0", "0 0 1 2 0 0 0", "0 0 0 0 1 2 0"), rows(r.grid("C (3 x 7)")));
        assertTrue(r.text().contains("length: (3-1)*2 - 2*0 + 1*(2-1) + 1 + 1 = 7"), r.out());
    }

    @Test
    void dilationSpreadsTheKernelAndPaddingBeyondItCrops() {
        Cli.Result dilated = Cli.run("explain", "--input", "2x2", "--kernel", "2", "--dilation", "2",
                "--kernel-values", "ones");
        dilated.output();
        // Taps 2 apart: along each axis every output meets exactly one input, the one of its parity.
        assertEquals(rows("1 2 1 2", "3 4 3 4", "1 2 1 2", "3 4 3 4"), rows(dilated.grid("output Y (4x4)")));

        Cli.Result cropped = Cli.run("explain", "--input", "3x3", "--kernel", "2", "--stride", "2", "--padding", "2");
        cropped.output();
        assertTrue(cropped.text().contains("1*(2-1) - 2 = -1 on every side (a negative padding cuts rows or columns"
                + " off instead) -> 3x3."), cropped.out());
        assertEquals(rows(". . .", ". 5 .", ". . ."), rows(cropped.grid("padded (3x3)")));
    }

    @Test
    void markdownHasHeadingsAndFencedGrids() {
        String md = Cli.output("explain", "--format", "md");
        assertTrue(md.startsWith("# Transposed convolution of a 2x2 input with a 3x3 kernel\n"), md);
        assertTrue(md.contains("\n## 1. Zero insertion"), md);
        assertTrue(md.contains("\n## 2. The matrix view\n"), md);
        assertTrue(md.contains("\n## 3. The output size\n"), md);
        assertTrue(md.contains("```text\noutput Y (4x4)\n 1  4  7  6\n"), md);
        assertTrue(md.contains("`O = C * I`"), "formulas as code: " + md);
        assertEquals(md.split("```", -1).length % 2, 1, "fences are balanced");
    }

    @Test
    void valuesComeFromAGeneratorOrAFile() throws IOException {
        String random = Cli.output("explain", "--values", "random");
        assertEquals(random, Cli.output("explain", "--values", "random"), "random is repeatable");
        assertNotEquals(random, Cli.output("explain", "--values", "random", "--seed", "2"));

        Path input = dir.resolve("x.npy");
        Npy.write(input, new float[] {0.5f, -1, 2}, 1, 3);
        Cli.Result r = Cli.run("explain", "--values", input.toString(), "--kernel", "2");
        r.output();
        assertEquals(rows("0.5 -1 2"), rows(r.grid("input X (1x3)")), "the file gives the values and the size");
        assertEquals(rows("1 2", "3 4"), rows(r.grid("kernel K (2x2)    flipped (2x2)")).stream()
                .map(row -> row.subList(0, 2)).toList(), "the kernel is iota when --values is a file");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--example 5                | --example 5: there are examples 1 to 4",
        "--input 20x20              | too large to print: the matrix C would be 400 x 484 (at most 64 x 64); choose a smaller --input",
        "--input 3 --kernel 40      | too large to print: the largest map would be length 81 (at most 32 per side); choose a smaller --input, --kernel, --stride or --dilation",
        "--input 2x2x2x2            | --input: '2x2x2x2' is not a size (HxW, or one number)",
        "--input 0x2                | --input 0x2: sizes must be at least 1",
        "--input 4 --kernel 2x2     | the kernel 2x2 is 2-D but the input 4 is 1-D",
        "--values pi                | --values pi: neither iota, ones, random nor an existing .npy file",
        "--format html              | --format: unknown format 'html' (expected text or md)",
        "--output-padding 1         | output_padding (H) 1 must be smaller than stride 1 or dilation 1",
        "--padding 3                | output height -2 < 1 for input height 2 (kernel 3, stride 1, dilation 1, pads 3,3, output_padding 0)",
    })
    void badRequestsAreOneLine(String options, String message) {
        assertEquals(message, Cli.error(("explain " + options).split(" +")));
    }

    @Test
    void valuesFilesMustHoldOneMapOfTheRightSize() throws IOException {
        Path cube = dir.resolve("cube.npy");
        Npy.write(cube, new float[8], 2, 2, 2);
        assertEquals("--values " + cube + " has shape (2, 2, 2); explain takes one map, (H, W) or, for 1-D, (W,)",
                Cli.error("explain", "--values", cube.toString()));
        Path map = dir.resolve("map.npy");
        Npy.write(map, new float[4], 2, 2);
        assertEquals("--kernel-values " + map + " has shape (2, 2), but the kernel is (3, 3)",
                Cli.error("explain", "--kernel-values", map.toString(), "--kernel", "3"));
        assertEquals("--round-trip computes the input as C*I; --values must then be iota, ones or random",
                Cli.error("explain", "--values", map.toString(), "--round-trip"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--input 2x3x4          | --input 2x3x4",
        "--kernel 2x2x2         | --kernel 2x2x2",
        "--stride 2,1,2         | --stride 2,1,2",
        "--padding 1,0,1        | --padding 1,0,1",
        "--output-padding 0,1,0 | --output-padding 0,1,0",
        "--dilation 1,2,1       | --dilation 1,2,1",
    })
    void threeDimensionalOptionsAreRefusedByName(String options, String given) {
        assertEquals("explain shows 1-D and 2-D examples only; " + given
                + " is 3-D (convt run computes 3-D transposed convolutions)", Cli.error(("explain " + options).split(" +")));
    }
}
