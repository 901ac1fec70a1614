package dev.convt.reliability;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import java.lang.foreign.Arena;

/**
 * Run in a child JVM by {@link ThreadsAndTasksTest}, typically with
 * {@code -XX:ActiveProcessorCount=1}: calls {@code forward(x, y, threads)} with the threads given
 * as the argument, then prints how many convt pool workers exist.
 */
final class WorkerCountProbe {

    private WorkerCountProbe() {}

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        ConvTransposeSpec spec = ConvTransposeSpec.builder(16, 16, 4, 4).stride(2).padding(1).build();
        try (Arena arena = Arena.ofShared();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(new float[(int) spec.weightCount()])
                        .bias(new float[16]).build()) {
            long[] shape = {1, 16, 32, 32};
            Tensor x = Tensor.allocate(arena, shape);
            Tensor y = Tensor.allocate(arena, layer.outputShape(shape));
            for (int i = 0; i < 3; i++) {
                layer.forward(x, y, threads);
            }
        }
        long workers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("convt-worker"))
                .count();
        System.out.println(workers);
    }
}
