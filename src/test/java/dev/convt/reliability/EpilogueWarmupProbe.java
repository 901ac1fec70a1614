package dev.convt.reliability;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Epilogue;
import dev.convt.Tensor;
import dev.convt.testing.RandomFloats;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Run in a fresh JVM by {@link NumericsTest}: calls one layer with a sigmoid or tanh epilogue
 * until the JIT has compiled the kernel, and prints how many calls returned different bits from
 * the first. A warm test JVM has compiled everything already, so only a fresh one shows it.
 */
final class EpilogueWarmupProbe {

    private EpilogueWarmupProbe() {}

    public static void main(String[] args) {
        Epilogue e = args[0].equals("sigmoid") ? Epilogue.sigmoid() : Epilogue.tanh();
        SplittableRandom r = new SplittableRandom(5);
        ConvTransposeSpec spec = ConvTransposeSpec.builder(24, 64, 4, 4).stride(2).padding(1).build();
        float[] w = RandomFloats.uniform(r, (int) spec.weightCount());
        try (Arena arena = Arena.ofConfined();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(new float[64]).epilogue(e).build()) {
            Tensor x = Tensor.of(arena, RandomFloats.uniform(r, 24 * 4 * 4), 1, 24, 4, 4);
            Tensor y = Tensor.allocate(arena, layer.outputShape(x.shape()));
            layer.forward(x, y);
            float[] first = y.toArray();
            int differing = 0;
            for (int call = 1; call < 20_000; call++) {
                layer.forward(x, y);
                differing += Arrays.equals(first, y.toArray()) ? 0 : 1;
            }
            System.out.println(differing);
        }
    }
}
