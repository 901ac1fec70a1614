package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.bench.OneDnnDeconvolution.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The oneDNN peer computes the suite's layers: its output, in either layout, matches the scalar
 * reference, so the benchmark times a correct call. The layers chosen cover what the primitive's
 * descriptors must translate: 1-D, groups with dilation (oneDNN's dilation starts at 0),
 * depthwise, output padding, a single channel and 3-D (ncdhw, kernel 4 with padding).
 */
class OneDnnDeconvolutionTest {

    private static void assertMatchesReference(SuiteLayer layer, int threads, Layout... layouts) {
        LayerData data = LayerData.of(layer);
        ExpectedOutput expected = ExpectedOutput.of(data);
        for (Layout layout : layouts) {
            try (OneDnnDeconvolution dnnl = OneDnnDeconvolution.open(data, layout, threads)) {
                dnnl.poisonOutput();
                dnnl.forward();
                expected.check(layout.label + ", " + threads + " thread(s)", layer, dnnl.output());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SuiteLayer.class, names = {"HIFIGAN_UP1", "DIL_GROUP", "FCN_UP8_DW", "FSRCNN_X3",
            "DCGAN_L1", "DCGAN_L5", "TINY_2X2_K3", "VGAN3D"})
    void matchesTheReferenceInBothLayouts(SuiteLayer layer) {
        assertMatchesReference(layer, 1, Layout.values());
    }

    @Test
    void matchesTheReferenceOnTwoThreads() {
        assertMatchesReference(SuiteLayer.DCGAN_L3, 2, Layout.NCHW);
        assertMatchesReference(SuiteLayer.DIL_GROUP, 2, Layout.OWN);
    }

    @Test
    void anOutputNeverWrittenFailsTheCheck() {
        LayerData data = LayerData.of(SuiteLayer.DCGAN_L1);
        try (OneDnnDeconvolution dnnl = OneDnnDeconvolution.open(data, Layout.OWN, 1)) {
            dnnl.poisonOutput();
            float[] unwritten = dnnl.output();
            assertThrows(IllegalStateException.class,
                    () -> ExpectedOutput.of(data).check("not run", SuiteLayer.DCGAN_L1, unwritten));
        }
    }

    @Test
    void namesItsImplementationAndLayouts() {
        try (OneDnnDeconvolution dnnl = OneDnnDeconvolution.open(LayerData.of(SuiteLayer.DCGAN_L2), Layout.NCHW, 1)) {
            String impl = dnnl.implementation();
            // The NCHW row must really run on NCHW source and destination.
            assertTrue(impl.contains("; src abcd, weights ") && impl.endsWith(", dst abcd"), impl);
            assertTrue(impl.indexOf(';') > 0, "impl_info_str first: " + impl);
        }
        try (OneDnnDeconvolution dnnl = OneDnnDeconvolution.open(LayerData.of(SuiteLayer.VGAN3D), Layout.NCHW, 1)) {
            String impl = dnnl.implementation();
            // The 3-D NCHW row runs on plain ncdhw.
            assertTrue(impl.contains("; src abcde, weights ") && impl.endsWith(", dst abcde"), impl);
        }
    }

    @Test
    void reportsVersionAndRejectsAZeroThreadCount() {
        assertTrue(OneDnn.get().version().startsWith("3.11."), OneDnn.get().version());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OneDnn.get().setThreads(0));
        assertEquals("threads 0 must be at least 1", e.getMessage());
    }
}
