package com.example.upsample;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import dev.convt.reference.DirectReference;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * The README's example on random weights (at 64 rather than 256 input channels, to keep the check
 * quick), checked against convt's scalar reference.
 */
public final class Upsample {

    private static final int CIN = 64;

    private Upsample() {}

    /**
     * Runs the layer on one and on two threads and checks both outputs against the reference.
     *
     * @return where convt was loaded from: "module dev.convt" or "class path"
     * @throws AssertionError if an output differs from the reference beyond float32 rounding
     */
    public static String run() {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(CIN, 32, 4, 4).stride(2).padding(1).build();
        SplittableRandom random = new SplittableRandom(2026);
        float[] w = values(random, CIN * 32 * 4 * 4);
        float[] b = values(random, 32);
        float[] input = values(random, CIN * 8 * 8);
        try (Arena arena = Arena.ofShared();
             ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(b)
                     .epilogue(Epilogue.relu()).build()) {
            Tensor x = Tensor.of(arena, input, 1, CIN, 8, 8);
            Tensor y = Tensor.allocate(arena, layer.outputShape(x.shape()));
            DirectReference.Result expected = DirectReference.forwardWithMagnitudes(spec.geometry(x.shape()), input, w,
                    b, null);
            layer.forward(x, y);
            check("forward(x, y)", expected, y.toArray());
            layer.forward(x, y, 2);
            check("forward(x, y, 2)", expected, y.toArray());
        }
        Module convt = ConvTransposeLayer.class.getModule();
        return convt.isNamed() ? "module " + convt.getName() : "class path";
    }

    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }

    /** Within float32 rounding of the exact sum (at most Cin*kH*kW terms), after the ReLU. */
    private static void check(String what, DirectReference.Result expected, float[] actual) {
        int terms = CIN * 4 * 4;
        for (int i = 0; i < actual.length; i++) {
            double exact = Math.max(0, expected.exact()[i]);
            double bound = (terms + 1) * 0x1p-24 * expected.magnitudes()[i];
            if (!(Math.abs(actual[i] - exact) <= bound)) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + exact
                        + " within " + bound);
            }
        }
    }

    /**
     * Runs the check and prints where convt came from.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("convt from " + run() + ": output matches the reference");
    }
}
