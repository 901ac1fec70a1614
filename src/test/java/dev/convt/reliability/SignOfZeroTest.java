package dev.convt.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.kernel.ExecutionPlan;
import dev.convt.kernel.ExecutionPlan.Kind;
import dev.convt.kernel.PackedWeights;
import dev.convt.reference.DirectReference;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sign-of-zero rule (see {@link ExecutionPlan}) on every plan: with a bias of -0 and products
 * that are all -0 (inputs -0, weights positive) or a mix of signed zeros, every output is +0
 * before the epilogue, bit for bit as {@link DirectReference} gives it. The epilogues chosen keep
 * the sign of a zero (tanh, clamp to [-0, 1]), so a -0 would show.
 */
class SignOfZeroTest {

    private static final Epilogue[] EPILOGUES = {Epilogue.NONE, Epilogue.tanh(), Epilogue.clamp(-0f, 1f),
        Epilogue.relu(), Epilogue.leakyRelu(0.5f)};

    @Test
    void depthwise() {
        check(ConvTransposeSpec.builder(8, 8, 4, 4).groups(8).stride(2).padding(1).build(), new long[] {1, 8, 16, 16},
                Kind.DEPTHWISE, false);
    }

    @Test
    void pixelTiled() {
        check(ConvTransposeSpec.builder(4, 4, 3, 3).stride(2).build(), new long[] {1, 4, 16, 16}, Kind.PIXEL_TILED,
                false);
    }

    @Test
    void channelTiled() {
        check(ConvTransposeSpec.builder(8, 64, 4, 4).stride(2).build(), new long[] {1, 8, 2, 2}, Kind.CHANNEL_TILED,
                false);
    }

    @Test
    void scalarGather() {
        check(ConvTransposeSpec.builder(3, 2, 1, 1).stride(2).build(), new long[] {1, 3, 5, 5}, Kind.SCALAR,
                true);
    }

    /** 3-D layers of each plan's shape, on whichever plan takes them. */
    @Test
    void threeD() {
        check(ConvTransposeSpec.builder3d(4, 4, 2, 3, 3).stride(2).build(), new long[] {1, 4, 2, 3, 16}, null, false);
        check(ConvTransposeSpec.builder3d(8, 64, 2, 4, 4).stride(1, 2, 2).build(), new long[] {1, 8, 2, 2, 2}, null, false);
        check(ConvTransposeSpec.builder3d(8, 8, 3, 4, 4).groups(8).stride(2).padding(1).build(), new long[] {1, 8, 2, 4, 16},
                null, false);
    }

    /**
     * Runs {@code spec} on inputs of -0 with positive weights, and on inputs of mixed signed zeros
     * with weights of both signs, bias -0; every output must equal the reference's bits and, where
     * the reference's is a zero, be +0 before the epilogue. {@code kind} is the plan that must run
     * it, or null for any.
     */
    private static void check(ConvTransposeSpec spec, long[] inputShape, Kind kind, boolean infiniteWeight) {
        ConvTransposeGeometry g = spec.geometry(inputShape);
        SplittableRandom random = new SplittableRandom(inputShape.length * 31L + spec.outChannels());
        for (boolean mixed : new boolean[] {false, true}) {
            float[] input = new float[(int) g.inputCount()];
            for (int i = 0; i < input.length; i++) {
                input[i] = mixed && random.nextBoolean() ? 0f : -0f;
            }
            float[] weights = new float[(int) spec.weightCount()];
            for (int i = 0; i < weights.length; i++) {
                float w = 0.25f + random.nextFloat();
                weights[i] = mixed && random.nextBoolean() ? -w : w;
            }
            if (infiniteWeight) {
                weights[0] = Float.POSITIVE_INFINITY;
            }
            float[] bias = new float[spec.outChannels()];
            Arrays.fill(bias, -0f);
            for (Epilogue e : EPILOGUES) {
                float[] expected = DirectReference.forward(g, input, weights, bias, e);
                float[] got = run(g, input, weights, bias, e, kind);
                int zeros = 0;
                for (int i = 0; i < got.length; i++) {
                    if (Float.isNaN(expected[i])) {
                        assertTrue(Float.isNaN(got[i]), "element " + i);
                        continue;
                    }
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
                            kind + " " + e + (mixed ? " mixed zeros" : " -0 inputs") + ": element " + i + " is "
                                    + got[i] + ", the reference's " + expected[i]);
                    if (expected[i] == 0f) {
                        assertEquals(0, Float.floatToRawIntBits(expected[i]), "the reference's zero is +0");
                        zeros++;
                    }
                }
                assertTrue(zeros > 0, "some outputs are zero");
            }
        }
    }

    private static float[] run(ConvTransposeGeometry g, float[] input, float[] weights, float[] bias, Epilogue e,
            Kind kind) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = arena.allocateFrom(ValueLayout.JAVA_FLOAT, weights);
            MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, bias);
            ExecutionPlan plan = ExecutionPlan.create(g, PackedWeights.pack(g.spec(), w, b, null, arena), e);
            if (kind != null) {
                assertEquals(kind, plan.kind(), plan.toString());
            }
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_FLOAT, input);
            MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, g.outputCount());
            out.fill((byte) 0x7f);
            plan.runAll(in, out);
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }
}
