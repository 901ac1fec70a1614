package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The command dispatch, help, and the one-line errors of argument parsing. */
class MainTest {

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "help"})
    void helpListsTheCommands(String flag) {
        String out = Cli.output(flag);
        assertTrue(out.startsWith("Usage: convt <command>"), out);
        assertTrue(out.contains("  run ") && out.contains("  explain "), out);
    }

    @Test
    void eachCommandHasItsOwnHelpEvenAmongOtherOptions() {
        String run = Cli.output("run", "--help");
        assertTrue(run.startsWith("Usage: convt run --x X.npy --w W.npy"), run);
        for (String option : new String[] {"--b", "--out", "--stride", "--padding", "--output-padding", "--dilation",
            "--groups", "--pads", "--auto-pad", "--output-shape", "--activation", "--threads", "--reference"}) {
            assertTrue(run.contains("  " + option + " "), option + " is documented");
        }
        String explain = Cli.output("explain", "--stride", "2", "-h");
        assertTrue(explain.startsWith("Usage: convt explain"), explain);
        for (String option : new String[] {"--example", "--input", "--kernel", "--stride", "--padding",
            "--output-padding", "--dilation", "--values", "--kernel-values", "--seed", "--round-trip", "--format"}) {
            assertTrue(explain.contains("  " + option + " "), option + " is documented");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-V", "version"})
    void versionIsThePomsVersion(String flag) throws IOException {
        assertEquals("convt " + pomVersion() + "\n", Cli.output(flag));
    }

    /** The project's own version, read from the POM rather than from what the build made of it. */
    static String pomVersion() throws IOException {
        Path pom = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "pom.xml");
        Matcher m = Pattern.compile("<artifactId>convt</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(pom));
        assertTrue(m.find(), "the project's version in " + pom);
        return m.group(1);
    }

    @Test
    void noCommandOrAnUnknownOneIsAnError() {
        assertEquals("missing command: run or explain (see convt --help)", Cli.error());
        assertEquals("unknown command 'convolve' (expected run or explain; see convt --help)", Cli.error("convolve"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "run --x a.npy --bogus 1              | unknown option --bogus for convt run (see convt run --help)",
        "explain --x a.npy                    | unknown option --x for convt explain (see convt explain --help)",
        "run --x                              | --x needs a value",
        "run --x --w w.npy                    | --x needs a value",
        "run --x=                             | --x needs a value",
        "run --x a.npy --x b.npy              | --x is given twice",
        "run a.npy                            | unexpected argument 'a.npy' (options start with --; see convt run --help)",
        "run --reference=yes                  | --reference takes no value",
        "explain --stride two                 | --stride: 'two' is not a whole number",
        "explain --stride 1,x                 | --stride: 'x' is not a whole number",
        "explain --example 1.5                | --example: '1.5' is not a whole number",
    })
    void argumentErrorsAreOneLine(String args, String message) {
        assertEquals(message, Cli.error(args.split(" +")));
    }

    @Test
    void optionsTakeTheirValueAfterAnEqualsSignOrAsTheNextArgumentEvenIfNegative() {
        Options o = Options.parse("run", List.of("--stride=2,3", "--padding", "-1", "--reference"),
                Set.of("--stride", "--padding"), Set.of("--reference"));
        assertEquals(List.of(2, 3), Arrays.stream(o.integers("--stride")).boxed().toList());
        assertEquals(-1, o.integer("--padding", 0));
        assertTrue(o.has("--reference"));
        assertEquals(7, o.integer("--groups", 7));
    }

    @Test
    void libraryMessagesArePassedOnAsTheyAre() {
        // The spec's own IllegalArgumentException names the parameter and value.
        assertEquals("stride 0 must be at least 1", Cli.error("explain", "--input", "3", "--stride", "0"));
    }
}
