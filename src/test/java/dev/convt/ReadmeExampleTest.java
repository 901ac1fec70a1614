package dev.convt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classes = Path.of(ConvTransposeLayer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", classes,
                example.toString())).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the README example did not end within 120 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
    }
}
