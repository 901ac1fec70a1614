package dev.convt;

import java.lang.foreign.Arena;

/**
 * Run by {@link VectorApiMissingTest} in a JVM without {@code --add-modules jdk.incubator.vector}:
 * the README's example as a new user would write it, with try-with-resources. Prints what the
 * layer threw; exits 1 if the layer ran anyway.
 */
public final class VectorApiMissingProbe {

    private VectorApiMissingProbe() {}

    /**
     * Builds and runs a small layer.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(2, 2, 2, 2).stride(2).bias(false).build();
        try (Arena arena = Arena.ofConfined();
             ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(new float[16]).build()) {
            Tensor x = Tensor.allocate(arena, 1, 2, 3, 3);
            layer.forward(x, Tensor.allocate(arena, layer.outputShape(x.shape())));
            System.out.println("the layer ran without the Vector API");
            System.exit(1);
        } catch (IllegalStateException e) {
            System.out.println(e);
        }
    }
}
