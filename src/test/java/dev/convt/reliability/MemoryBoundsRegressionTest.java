package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * How much memory one forward call takes beyond its tensors. The kernels' workspaces should be
 * bounded by the tile and task sizes, not grow with the whole image, or a modest input exhausts
 * the native memory of a server.
 */
class MemoryBoundsRegressionTest {

    @Test
    @Disabled("bug: ChannelTiledPlan.pack sizes a task's panel as rowsQ*groupsPerRow*taps*cin*4 floats"
            + " (ChannelTiledPlan.java:110): every grid row of the phase at once, about 4*taps/W times the input;"
            + " (1, 64, 16384, 1) with a 4x4 kernel reserves 268 MB for a 4 MB input, (1, 256, 262144, 1) 17 GB, and"
            + " the int panel offsets in its table (line 133) wrap past 2^31 floats")
    void tallNarrowMapsNeedLittleMoreNativeMemoryThanTheirTensors() throws Exception {
        // The probe's tensors take 12.6 MB; the JVM allows their size and 50 MB more.
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-XX:MaxDirectMemorySize=64m", "-cp",
                System.getProperty("java.class.path"), TallNarrowMapProbe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), "forward needed more than 64 MB of native memory:\n" + out);
    }
}
