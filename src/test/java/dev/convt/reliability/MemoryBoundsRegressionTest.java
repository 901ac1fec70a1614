package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import dev.convt.testing.ChildJvm;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How much memory one forward call takes beyond its tensors. The kernels' workspaces should be
 * bounded by the tile and task sizes, not grow with the whole image, or a modest input exhausts
 * the native memory of a server.
 */
class MemoryBoundsRegressionTest {

    @Test
    void tallNarrowMapsNeedLittleMoreNativeMemoryThanTheirTensors() throws Exception {
        // The probe's tensors take 12.6 MB; the JVM allows their size and 50 MB more.
        ChildJvm.Result r = ChildJvm.withFlags(ChildJvm.VECTOR_API, "-XX:MaxDirectMemorySize=64m")
                .run(Duration.ofMinutes(5), TallNarrowMapProbe.class.getName());
        assertEquals(0, r.exitCode(), "forward needed more than 64 MB of native memory:\n" + r.output());
    }

    /**
     * Resident memory of this process outside the JVM's heap. Until C2 compiles the kernels every
     * vector op allocates on the heap, and the heap grew by 100-300 MB over this test's 20 calls,
     * as much as the copies of the weights it looks for.
     */
    private static long nativeBytes() throws IOException {
        return residentBytes() - Runtime.getRuntime().totalMemory();
    }

    /** Resident memory of this process, from Linux's /proc. */
    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    @Test
    void inputsOfManySizesDoNotEachAddACopyOfTheWeights() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux's /proc");
        // 64 MB of weights; output_shape fixes the output, so each input height has its own crop.
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1024, 1024, 4, 4).stride(2).outputShape(64, 64).build();
        long weightBytes = spec.weightCount() * Float.BYTES;
        try (ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(new float[(int) spec.weightCount()])
                .bias(new float[1024]).build()) {
            forwardOnce(layer, 1);
            long before = nativeBytes();
            for (int height = 2; height <= 20; height++) {
                forwardOnce(layer, height);
            }
            long grown = nativeBytes() - before;
            assertTrue(grown < 4 * weightBytes, "19 more input heights grew the process's native memory by "
                    + grown / 1_000_000 + " MB; the weights are " + weightBytes / 1_000_000 + " MB");
        }
    }

    private static void forwardOnce(ConvTransposeLayer layer, int height) {
        long[] shape = {1, 1024, height, 1};
        try (Arena arena = Arena.ofConfined()) {
            layer.forward(Tensor.allocate(arena, shape), Tensor.allocate(arena, layer.outputShape(shape)));
        }
    }
}
