package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AOT cache's training run: every layer it runs must succeed, and it must clean up after itself. */
class AotTrainingTest {

    @TempDir
    Path dir;

    @Test
    void everyTrainingRunSucceedsAndLeavesNothingBehind() throws Exception {
        // A failed run throws: each one goes through Main.run, with its exit code checked.
        AotTraining.main(new String[] {dir.toString()});
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }
}
