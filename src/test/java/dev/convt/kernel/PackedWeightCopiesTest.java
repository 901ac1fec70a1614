package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** A layer holds its packed weights in a bounded number of copies, whatever input sizes it sees. */
class PackedWeightCopiesTest {

    @Test
    void aLongKernelCroppedDeeplyByPaddingKeepsAFewCopiesOverEveryInputSize() {
        // Every input length from 1 to 501 keeps a different range of the 1024 taps: 501 copies,
        // 256 MiB for 1 MiB of weights, before the taps kept were rounded to powers of two.
        ConvTransposeSpec spec = ConvTransposeSpec.builder1d(16, 16, 1024).padding(500).build();
        try (Arena arena = Arena.ofConfined()) {
            PackedWeights w = PackedWeights.pack(spec, arena.allocate(spec.weightCount() * Float.BYTES), null, null,
                    arena);
            for (int length = 1; length <= 501; length++) {
                ExecutionPlan.create(spec.geometry(1, 16, length), w, Epilogue.NONE);
            }
            assertTrue(w.packedFloats() <= 8 * spec.weightCount(), "packed " + w.packedFloats() + " floats for "
                    + spec.weightCount() + " weights");
        }
    }

    @Test
    void outputShapesOfManyHeightsShareTheirCopies() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(8, 8, 4, 4).stride(2).outputShape(64, 64).build();
        try (Arena arena = Arena.ofConfined()) {
            PackedWeights w = PackedWeights.pack(spec, arena.allocate(spec.weightCount() * Float.BYTES), null, null,
                    arena);
            for (int height = 1; height <= 32; height++) {
                ExecutionPlan.create(spec.geometry(1, 8, height, 1), w, Epilogue.NONE);
            }
            assertTrue(w.packedFloats() <= 4 * spec.weightCount() * 2, "packed " + w.packedFloats() + " floats for "
                    + spec.weightCount() + " weights");
        }
    }
}
