package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.convt.ConvTransposeLayer;
import dev.convt.Tensor;
import java.lang.foreign.Arena;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole-network benchmark's two implementations and its check against the reference chain. */
class DcganNetworkTest {

    private static final DcganNetwork NETWORK = DcganNetwork.create();
    private static final DcganNetwork.Expected EXPECTED = NETWORK.expected();

    private static float[] convt() {
        List<ConvTransposeLayer> layers = NETWORK.convtLayers();
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, NETWORK.input(), NETWORK.inputShape());
            for (int i = 0; i < layers.size(); i++) {
                Tensor y = Tensor.allocate(arena, NETWORK.stages().get(i).layer().geometry().outputShape());
                layers.get(i).forward(x, y);
                x = y;
            }
            return x.toArray();
        } finally {
            layers.forEach(ConvTransposeLayer::close);
        }
    }

    @Test
    void theBoundIsTightEnoughToMeanSomething() {
        assertEquals(3 * 64 * 64, EXPECTED.values().length);
        double widest = Arrays.stream(EXPECTED.allowed()).max().orElseThrow();
        // tanh outputs lie in [-1, 1]; a bound near that would accept anything.
        assertTrue(widest < 1e-2, "widest bound " + widest);
        assertTrue(Arrays.stream(EXPECTED.values()).allMatch(v -> Math.abs(v) <= 1), "tanh range");
        // ReLU and tanh after BatchNorm: the image is not all zeros or saturated.
        assertTrue(Arrays.stream(EXPECTED.values()).filter(v -> Math.abs(v) > 0.05 && Math.abs(v) < 0.95).count()
                > EXPECTED.values().length / 4, "a spread of values");
    }

    @Test
    void convtWithFoldedBatchNormMatchesTheReferenceChain() {
        assertDoesNotThrow(() -> EXPECTED.check("convt", convt()));
    }

    @Test
    void onnxRuntimeOnTheGraphMatchesTheReferenceChain() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(NETWORK.onnxModel(), new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(NETWORK.input()), NETWORK.inputShape());
                OrtSession.Result result = session.run(Map.of("X", x))) {
            OnnxTensor y = (OnnxTensor) result.get("Y").orElseThrow();
            assertTrue(Arrays.equals(NETWORK.outputShape(), y.getInfo().getShape()), Arrays.toString(y.getInfo().getShape()));
            FloatBuffer values = y.getFloatBuffer();
            float[] actual = new float[values.remaining()];
            values.get(actual);
            assertDoesNotThrow(() -> EXPECTED.check("ONNX Runtime", actual));
        }
    }

    @Test
    void oneElementJustOutsideItsBoundFails() {
        float[] out = convt();
        out[4097] += (float) (2 * EXPECTED.allowed()[4097]) + Math.ulp(out[4097]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EXPECTED.check("off", out));
        assertTrue(e.getMessage().contains("1 of 12288") && e.getMessage().contains("[4097]"), e.getMessage());
    }
}
