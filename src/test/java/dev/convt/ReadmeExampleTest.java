package dev.convt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's usage example, compiled and run as the README says: a compact source file on the class path. */
class ReadmeExampleTest {

    @Test
    void theUsageExampleRunsAsWritten(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## Using it\n");
        assertTrue(section >= 0, "README has no \"Using it\" section");
        int start = readme.indexOf("```java\n", section);
        int end = readme.indexOf("\n```\n", start);
        assertTrue(start >= 0 && end > start, "no java block in \"Using it\"");
        Path example = dir.resolve("Example.java");
        Files.writeString(example, readme.substring(start + "```java\n".length(), end + 1));
        String classes = Path.of(ConvTransposeLayer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        ChildJvm.Result r = ChildJvm.withFlags("--add-modules", "jdk.incubator.vector").classPath(classes)
                .run(Duration.ofSeconds(120), example.toString());
        assertEquals(0, r.exitCode(), r.output());
    }
}
