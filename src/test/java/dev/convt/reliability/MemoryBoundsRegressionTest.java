package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import dev.convt.reference.DirectReference;
import dev.convt.testing.ChildJvm;
import dev.convt.testing.RandomCase;
import dev.convt.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
    private static long nativeBytes() {
        return ResidentMemory.current() - Runtime.getRuntime().totalMemory();
    }

    @Test
    void inputsOfManySizesDoNotEachAddACopyOfTheWeights() {
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

    /**
     * 3-D layers of the tiled plans' shapes read and write only their tensors: each tensor is the
     * tail of its segment (so an access past its end throws) after a guard of sentinel floats (so
     * a write before its start shows), at every byte offset the fuzzer uses, and the result matches
     * the reference on the case's thread count.
     */
    @Test
    void threeDTensorsAtTheEndOfTheirSegmentsAreReadAndWrittenInBounds() {
        int guard = 64;
        for (long seed = 0x70B0_3000L; seed < 0x70B0_3000L + 12; seed++) {
            RandomCase c = RandomCase.generate(seed, RandomCase.Options.TILED_3D);
            ConvTransposeGeometry g = c.geometry();
            DirectReference.Result expected = DirectReference.forwardWithMagnitudes(g, c.input(), c.weights(), c.bias(), null);
            for (int offset : new int[] {0, 4, 1}) {
                RandomCase placed = new RandomCase(c.spec(), c.inputShape(), c.input(), c.weights(), c.bias(), c.epilogue(),
                        c.threads(), offset, seed);
                try (Arena arena = Arena.ofShared(); ConvTransposeLayer layer = placed.layer()) {
                    MemorySegment inAll = atTheEnd(arena, guard, offset, g.inputCount());
                    MemorySegment outAll = atTheEnd(arena, guard, offset, g.outputCount());
                    Tensor x = Tensor.wrap(inAll.asSlice(inAll.byteSize() - g.inputCount() * Float.BYTES), g.inputShape());
                    x.copyFrom(c.input());
                    Tensor y = Tensor.wrap(outAll.asSlice(outAll.byteSize() - g.outputCount() * Float.BYTES), g.outputShape());
                    y.fill(RandomCase.UNWRITTEN);
                    if (c.threads() == 1) {
                        layer.forward(x, y);
                    } else {
                        layer.forward(x, y, c.threads());
                    }
                    Tolerance.assertMatches(placed, expected, y.toArray());
                    for (MemorySegment all : new MemorySegment[] {inAll, outAll}) {
                        for (int i = 0; i < guard; i++) {
                            assertEquals(Float.floatToRawIntBits(RandomCase.UNWRITTEN),
                                    all.get(ValueLayout.JAVA_INT_UNALIGNED, offset + (long) i * Float.BYTES),
                                    placed + ": guard int " + i + " before a tensor was overwritten");
                        }
                    }
                }
            }
        }
    }

    /**
     * A segment of {@code offset} bytes, a guard of {@code guard} sentinel floats, then room for
     * {@code count} floats, starting at a 64-byte boundary.
     */
    private static MemorySegment atTheEnd(Arena arena, int guard, int offset, long count) {
        MemorySegment all = arena.allocate(offset + (guard + count) * Float.BYTES, Tensor.ALIGNMENT);
        for (int i = 0; i < guard; i++) {
            all.set(ValueLayout.JAVA_INT_UNALIGNED, offset + (long) i * Float.BYTES, Float.floatToRawIntBits(RandomCase.UNWRITTEN));
        }
        return all;
    }

    private static void forwardOnce(ConvTransposeLayer layer, int height) {
        long[] shape = {1, 1024, height, 1};
        try (Arena arena = Arena.ofConfined()) {
            layer.forward(Tensor.allocate(arena, shape), Tensor.allocate(arena, layer.outputShape(shape)));
        }
    }
}
