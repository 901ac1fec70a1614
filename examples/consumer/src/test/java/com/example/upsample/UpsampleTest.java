package com.example.upsample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convt.ConvTransposeLayer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** convt as a dependency: the installed jar, on the class path here and on the module path in a child JVM. */
class UpsampleTest {

    private static Path location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void runsFromTheClassPath() throws Exception {
        Path convt = location(ConvTransposeLayer.class);
        assertTrue(convt.getFileName().toString().matches("convt-.*\\.jar"), "convt came from " + convt
                + ", not from the installed artifact");
        assertEquals("class path", Upsample.run());
    }

    /** No --add-modules: the module graph resolves jdk.incubator.vector through dev.convt's requires. */
    @Test
    void runsAsANamedModule() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String modulePath = location(ConvTransposeLayer.class) + File.pathSeparator + location(Upsample.class);
        Process p = new ProcessBuilder(List.of(java, "--module-path", modulePath, "--module",
                "com.example.upsample/com.example.upsample.Upsample")).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the modular run did not end within 120 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("convt from module dev.convt: output matches the reference"), out);
    }
}
