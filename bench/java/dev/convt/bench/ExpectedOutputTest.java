package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The output check that keeps wrong answers out of the report. */
class ExpectedOutputTest {

    private static final SuiteLayer LAYER = SuiteLayer.DIL_GROUP;
    private static final ExpectedOutput EXPECTED = ExpectedOutput.of(LayerData.of(LAYER));

    private static float[] rounded() {
        float[] out = new float[EXPECTED.values().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) EXPECTED.values()[i];
        }
        return out;
    }

    @Test
    void acceptsTheReferenceRoundedToFloat() {
        assertDoesNotThrow(() -> EXPECTED.check("rounded", LAYER, rounded()));
    }

    @Test
    void rejectsOneWrongElementAndNamesIt() {
        float[] out = rounded();
        out[123] += 0.01f;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EXPECTED.check("off", LAYER, out));
        assertTrue(e.getMessage().contains("1 of " + out.length) && e.getMessage().contains("[123]"), e.getMessage());
    }

    @Test
    void rejectsNaN() {
        float[] out = rounded();
        out[7] = Float.NaN;
        assertThrows(IllegalStateException.class, () -> EXPECTED.check("nan", LAYER, out));
    }

    @Test
    void rejectsAWrongLength() {
        assertThrows(IllegalStateException.class, () -> EXPECTED.check("short", LAYER, new float[3]));
    }
}
