package dev.convt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.testing.ChildJvm;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
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
        String classPath = location(ConvTransposeLayer.class) + File.pathSeparator + location(VectorApiMissingProbe.class);
        // A hang (as in close, once) fails the run at the time limit.
        ChildJvm.Result r = ChildJvm.withFlags().classPath(classPath).run(Duration.ofSeconds(60),
                VectorApiMissingProbe.class.getName());
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertTrue(out.contains("java.lang.IllegalStateException: convt needs the Vector API"), out);
        assertTrue(out.contains("--add-modules jdk.incubator.vector"), out);
        assertTrue(!out.contains("NoClassDefFoundError"), out);
    }
}
