package dev.convt.reliability;

import dev.convt.ConvTransposeLayer;
import dev.convt.ConvTransposeSpec;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

/**
 * Run by {@link MemoryContractTest} in a JVM whose heap and native memory barely exceed the
 * tensors: one layer per argument, each output element checked against its closed form; prints
 * "ok". Fails with an {@link OutOfMemoryError} if {@code forward} needs memory the contract does
 * not allow.
 *
 * <ul>
 *   <li>{@code wide1d}: a 1-D layer, 16 channels of 2^20 samples (64 MiB in, 64 MiB out), kernel
 *       1 with weight 1 between channel {@code c} and {@code c} only, on 1 and 2 threads.
 *   <li>{@code stride3000}: one channel, a 3x3 input, a 3x3 kernel with stride 3000: a 6003 x 6003
 *       output (137 MiB) of which 81 elements have a product.
 *   <li>{@code volume3d}: a 3-D layer, 8 channels of 16 x 32 x 1024 (16 MiB in), kernel and
 *       stride (2, 1, 2): each input element lands on two depths and two columns (64 MiB out), with
 *       weight {@code 1 + 2 kd + kw} between channel {@code c} and {@code c} only, on 1 and 2 threads;
 *       the calls may add at most {@link #VOLUME_3D_GROWTH} to the resident set (run it with a
 *       pre-touched heap, so that only native memory can grow): less than a copy of the output, or
 *       of the input per thread.
 * </ul>
 */
final class TensorBoundProbe {

    /** Per-thread scratch and panels (README, memory contract) on two threads, and slack. */
    static final long VOLUME_3D_GROWTH = 24L << 20;

    private TensorBoundProbe() {}

    public static void main(String[] args) {
        for (String which : args) {
            switch (which) {
                case "wide1d" -> wide1d();
                case "stride3000" -> stride3000();
                case "volume3d" -> volume3d();
                default -> throw new IllegalArgumentException("probe " + which);
            }
        }
        System.out.println("ok");
    }

    private static void wide1d() {
        int channels = 16;
        int length = 1 << 20;
        ConvTransposeSpec spec = ConvTransposeSpec.builder1d(channels, channels, 1).build();
        float[] w = new float[channels * channels];
        float[] bias = new float[channels];
        for (int c = 0; c < channels; c++) {
            w[c * channels + c] = 1f;
            bias[c] = c;
        }
        try (Arena arena = Arena.ofShared();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(bias).build()) {
            long[] shape = {1, channels, length};
            Tensor x = Tensor.allocate(arena, shape);
            for (long i = 0; i < (long) channels * length; i++) {
                x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, i % length % 1024);
            }
            Tensor y = Tensor.allocate(arena, layer.outputShape(shape));
            for (int threads = 1; threads <= 2; threads++) {
                y.segment().fill((byte) 0xff);
                layer.forward(x, y, threads);
                for (long i = 0; i < (long) channels * length; i++) {
                    float expected = i % length % 1024 + (float) (i / length);
                    float got = y.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    if (got != expected) {
                        throw new AssertionError("wide1d on " + threads + " threads: element " + i + " is " + got
                                + ", expected " + expected);
                    }
                }
            }
        }
    }

    private static void stride3000() {
        int s = 3000;
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, 1, 3, 3).stride(s).build();
        float[] w = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] in = {10, 20, 30, 40, 50, 60, 70, 80, 90};
        try (Arena arena = Arena.ofShared();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(new float[] {0.5f}).build()) {
            long[] shape = {1, 1, 3, 3};
            Tensor x = Tensor.of(arena, in, shape);
            long[] outShape = layer.outputShape(shape);
            Tensor y = Tensor.allocate(arena, outShape);
            int ow = (int) outShape[3];
            layer.forward(x, y, 2);
            for (int oy = 0; oy < outShape[2]; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    boolean tap = oy % s < 3 && ox % s < 3;
                    float expected = tap ? in[oy / s * 3 + ox / s] * w[oy % s * 3 + ox % s] + 0.5f : 0.5f;
                    float got = y.segment().getAtIndex(ValueLayout.JAVA_FLOAT, (long) oy * ow + ox);
                    if (got != expected) {
                        throw new AssertionError("stride3000: output (" + oy + ", " + ox + ") is " + got + ", expected "
                                + expected);
                    }
                }
            }
        }
    }

    private static void volume3d() {
        int channels = 8;
        long[] shape = {1, channels, 16, 32, 1024};
        ConvTransposeSpec spec = ConvTransposeSpec.builder3d(channels, channels, 2, 1, 2).stride(2, 1, 2).build();
        float[] w = new float[(int) spec.weightCount()];
        float[] bias = new float[channels];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < 4; t++) {
                // [c][c][kd][0][kw]: tap t = 2 kd + kw
                w[(c * channels + c) * 4 + t] = 1 + t;
            }
            bias[c] = c;
        }
        try (Arena arena = Arena.ofShared();
                ConvTransposeLayer layer = ConvTransposeLayer.builder(spec).weights(w).bias(bias).build()) {
            Tensor x = Tensor.allocate(arena, shape);
            long inCount = x.elementCount();
            for (long i = 0; i < inCount; i++) {
                x.segment().setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 1000);
            }
            long[] outShape = layer.outputShape(shape);
            Tensor y = Tensor.allocate(arena, outShape);
            y.segment().fill((byte) 0xff);
            warmUp(layer, new long[] {1, channels, 2, 4, 64});
            long before = ResidentMemory.resetPeak();
            long depth = outShape[2];
            long height = outShape[3];
            long width = outShape[4];
            for (int threads = 1; threads <= 2; threads++) {
                y.segment().fill((byte) 0xff);
                layer.forward(x, y, threads);
                for (long i = 0; i < y.elementCount(); i++) {
                    long ox = i % width;
                    long oy = i / width % height;
                    long oz = i / width / height % depth;
                    long c = i / width / height / depth;
                    long in = ((c * (depth / 2) + oz / 2) * height + oy) * (width / 2) + ox / 2;
                    float expected = in % 1000 * (1 + 2 * (oz % 2) + ox % 2) + c;
                    float got = y.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    if (got != expected) {
                        throw new AssertionError("volume3d on " + threads + " threads: element " + i + " is " + got
                                + ", expected " + expected);
                    }
                }
            }
            long grown = ResidentMemory.peak() - before;
            if (grown > VOLUME_3D_GROWTH) {
                throw new AssertionError("volume3d: forward grew the resident set by " + (grown >> 10) + " KiB, beyond "
                        + (VOLUME_3D_GROWTH >> 10) + " KiB; the tensors take "
                        + ((x.segment().byteSize() + y.segment().byteSize()) >> 10) + " KiB");
            }
        }
    }

    /** A few calls on a small input of the same layer, so that the kernels are compiled before the measured call. */
    private static void warmUp(ConvTransposeLayer layer, long[] shape) {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.allocate(arena, shape);
            Tensor y = Tensor.allocate(arena, layer.outputShape(shape));
            for (int i = 0; i < 200; i++) {
                layer.forward(x, y, 1 + i % 2);
            }
        }
    }
}
