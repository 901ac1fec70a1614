package dev.convt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM started on the class path without {@code --add-modules jdk.incubator.vector}: the layer
 * must say so at build, once and clearly, and the program must end. (It used to build, throw
 * NoClassDefFoundError in forward, and then spin forever in the try-with-resources close.)
 */
class VectorApiMissingTest {

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void withoutTheFlagBuildNamesItAndNothingHangs() throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = location(ConvTransposeLayer.class) + File.pathSeparator + location(VectorApiMissingProbe.class);
        Process p = new ProcessBuilder(List.of(java, "-cp", classPath, VectorApiMissingProbe.class.getName()))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the JVM without the Vector API did not end within 60 s (a hang in close?)");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("java.lang.IllegalStateException: convt needs the Vector API"), out);
        assertTrue(out.contains("--add-modules jdk.incubator.vector"), out);
        assertTrue(!out.contains("NoClassDefFoundError"), out);
    }
}
