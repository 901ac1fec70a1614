package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs {@link Main#run} as the launcher does, capturing both streams. */
final class Cli {

    /**
     * What one run produced.
     *
     * @param code the exit code
     * @param out the standard output
     * @param err the error output
     */
    record Result(int code, String out, String err) {

        /** Asserts a failure with exactly one error line, and returns that line's message. */
        String error() {
            assertEquals(Main.FAILED, code, () -> "exit code; stdout: " + out + "; stderr: " + err);
            List<String> lines = err.lines().toList();
            assertEquals(1, lines.size(), () -> "one error line, got: " + err);
            assertTrue(lines.getFirst().startsWith("convt: "), lines.getFirst());
            assertEquals("", out, "nothing on stdout after an error");
            return lines.getFirst().substring("convt: ".length());
        }

        /** Asserts success with nothing on the error stream, and returns the output. */
        String output() {
            assertEquals("", err, "stderr");
            assertEquals(Main.OK, code, "exit code");
            return out;
        }

        /** {@return the output with every run of white space made one space, so prose can be matched across line breaks} */
        String text() {
            return out.replaceAll("\\s+", " ");
        }

        /** The grid under a title line such as {@code output Y (4x4)}: one array of cells per row. */
        List<String[]> grid(String title) {
            List<String> lines = out.lines().map(String::strip).toList();
            int start = lines.indexOf(title);
            assertTrue(start >= 0, () -> "no grid titled '" + title + "' in:\n" + out);
            List<String[]> rows = new ArrayList<>();
            for (int i = start + 1; i < lines.size() && !lines.get(i).isEmpty() && !lines.get(i).startsWith("```"); i++) {
                rows.add(lines.get(i).split("\\s+"));
            }
            return rows;
        }
    }

    private Cli() {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String error(String... args) {
        return run(args).error();
    }

    static String output(String... args) {
        return run(args).output();
    }
}
