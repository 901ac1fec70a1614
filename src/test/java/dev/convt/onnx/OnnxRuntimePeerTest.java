package dev.convt.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convt.ConvTransposeSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The model builder and runner on cases whose answers are worked out by hand. */
class OnnxRuntimePeerTest {

    private static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    @Test
    void twoByTwoInputThreeByThreeOnesKernel() throws Exception {
        ConvTransposeSpec spec = ConvTransposeSpec.builder(1, 1, 3, 3).build();
        // Each output element sums the inputs whose 3x3 window covers it, plus the bias 0.5.
        float[] expected = {
            1.5f, 3.5f, 3.5f, 2.5f,
            4.5f, 10.5f, 10.5f, 6.5f,
            4.5f, 10.5f, 10.5f, 6.5f,
            3.5f, 7.5f, 7.5f, 4.5f};
        long[] shape = {1, 1, 2, 2};
        try (OnnxRuntimePeer peer = OnnxRuntimePeer.open(spec, shape, ones(9), new float[] {0.5f}, 1)) {
            assertArrayEquals(new long[] {1, 1, 4, 4}, peer.outputShape());
            assertArrayEquals(expected, peer.run(new float[] {1, 2, 3, 4}));
        }
    }

    @Test
    void directBuffersAreWrittenInPlace() throws Exception {
        // 1-D, stride 2, no bias: x = (1, 2), w = (1, 10): taps land at 0,1 and 2,3.
        ConvTransposeSpec spec = ConvTransposeSpec.builder1d(1, 1, 2).stride(2).bias(false).build();
        long[] shape = {1, 1, 2};
        try (OnnxRuntimePeer peer = OnnxRuntimePeer.open(spec, shape, new float[] {1, 10}, null, 2)) {
            FloatBuffer in = direct(2).put(new float[] {1, 2}).flip();
            FloatBuffer out = direct(4);
            peer.run(in, out);
            float[] y = new float[4];
            out.get(0, y);
            assertArrayEquals(new float[] {1, 10, 2, 20}, y);
        }
    }

    @Test
    void wrongBufferSizesAreRejected() throws Exception {
        ConvTransposeSpec spec = ConvTransposeSpec.builder1d(1, 1, 2).bias(false).build();
        try (OnnxRuntimePeer peer = OnnxRuntimePeer.open(spec, new long[] {1, 1, 2}, new float[] {1, 1}, null, 1)) {
            assertThrows(IllegalArgumentException.class, () -> peer.run(new float[3]));
            assertThrows(IllegalArgumentException.class, () -> peer.run(direct(2), direct(4)));
        }
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
