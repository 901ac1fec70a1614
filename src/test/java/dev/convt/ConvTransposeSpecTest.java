package dev.convt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeSpec.AutoPad;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every rule of {@link ConvTransposeSpec.Builder#build()} and {@link ConvTransposeSpec#geometry}:
 * the exception type and a message that names the parameter and its value.
 */
class ConvTransposeSpecTest {

    private static void assertRejected(Supplier<?> action, String... messageParts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::get);
        for (String part : messageParts) {
            assertTrue(e.getMessage().contains(part), "message \"" + e.getMessage() + "\" lacks \"" + part + "\"");
        }
    }

    private static ConvTransposeSpec.Builder twoD() {
        return ConvTransposeSpec.builder(4, 6, 3, 3);
    }

    @Test
    void defaultsArePyTorchs() {
        ConvTransposeSpec s = twoD().build();
        assertEquals(1, s.strideH());
        assertEquals(1, s.strideW());
        assertEquals(0, s.padTop());
        assertEquals(0, s.padRight());
        assertEquals(0, s.outputPaddingH());
        assertEquals(1, s.dilationW());
        assertEquals(1, s.groups());
        assertTrue(s.hasBias());
        assertEquals(AutoPad.NOTSET, s.autoPad());
        assertEquals(-1, s.requestedOutputH());
        assertArrayEquals(new long[] {4, 6, 3, 3}, s.weightShape());
        assertEquals(4 * 6 * 9, s.weightCount());
    }

    @Test
    void nonPositiveChannelsAndGroups() {
        assertRejected(() -> ConvTransposeSpec.builder(0, 6, 3, 3).build(), "inChannels 0");
        assertRejected(() -> ConvTransposeSpec.builder(4, -1, 3, 3).build(), "outChannels -1");
        assertRejected(() -> twoD().groups(0).build(), "groups 0");
    }

    @Test
    void groupsMustDivideBothChannelCounts() {
        assertRejected(() -> twoD().groups(3).build(), "groups 3", "inChannels 4");
        assertRejected(() -> twoD().groups(4).build(), "groups 4", "outChannels 6");
    }

    @Test
    void nonPositiveKernelStrideDilation() {
        assertRejected(() -> ConvTransposeSpec.builder(4, 6, 0, 3).build(), "kernel (H) 0");
        assertRejected(() -> ConvTransposeSpec.builder(4, 6, 3, -2).build(), "kernel (W) -2");
        assertRejected(() -> twoD().stride(0).build(), "stride (H) 0");
        assertRejected(() -> twoD().stride(1, -1).build(), "stride (W) -1");
        assertRejected(() -> twoD().dilation(0, 1).build(), "dilation (H) 0");
        assertRejected(() -> twoD().dilation(1, 0).build(), "dilation (W) 0");
        assertRejected(() -> ConvTransposeSpec.builder1d(1, 1, 0).build(), "kernel 0");
        assertRejected(() -> ConvTransposeSpec.builder1d(1, 1, 3).stride(0).build(), "stride 0");
    }

    @Test
    void negativePaddingAndOutputPadding() {
        assertRejected(() -> twoD().padding(-1).build(), "padding (H begin) -1");
        assertRejected(() -> twoD().pads(0, 0, 0, -2).build(), "padding (W end) -2");
        assertRejected(() -> twoD().pads(0, -3, 0, 0).build(), "padding (W begin) -3");
        assertRejected(() -> twoD().outputPadding(-1, 0).build(), "output_padding (H) -1");
        assertRejected(() -> ConvTransposeSpec.builder1d(1, 1, 3).padding(-1).build(), "padding -1");
    }

    @Test
    void outputPaddingMustBeBelowStrideOrDilation() {
        assertRejected(() -> twoD().stride(2).outputPadding(2).build(), "output_padding (H) 2", "stride 2",
                "dilation 1");
        assertRejected(() -> twoD().stride(2, 3).dilation(1, 2).outputPadding(1, 3).build(), "output_padding (W) 3",
                "stride 3", "dilation 2");
        assertRejected(() -> ConvTransposeSpec.builder1d(1, 1, 3).outputPadding(1).build(), "output_padding 1");
        // Below the dilation is enough, as in PyTorch.
        assertEquals(2, twoD().stride(1).dilation(3).outputPadding(2).build().outputPaddingH());
    }

    @Test
    void autoPadAndOutputShapeExcludeExplicitPads() {
        assertRejected(() -> twoD().padding(1).autoPad(AutoPad.SAME_UPPER).build(), "auto_pad SAME_UPPER", "pads");
        assertRejected(() -> twoD().pads(0, 0, 0, 0).autoPad(AutoPad.VALID).build(), "auto_pad VALID", "pads");
        assertRejected(() -> twoD().padding(0).outputShape(5, 5).build(), "output_shape", "pads");
    }

    @Test
    void outputShapeMustBePositive() {
        assertRejected(() -> twoD().outputShape(0, 5).build(), "output_shape (H) 0");
        assertRejected(() -> twoD().outputShape(-4, 5).build(), "output_shape (H) -4");
        assertRejected(() -> twoD().outputShape(5, 0).build(), "output_shape (W) 0");
        assertRejected(() -> ConvTransposeSpec.builder1d(1, 1, 3).outputShape(0).build(), "output_shape 0");
    }

    /**
     * Bug in the spec builder: a negative output_shape width (or 1-D length) is taken for "no
     * output_shape", because -1 is also the builder's "not given" marker and {@code build()} tests
     * only {@code requestedOut[1] >= 0}. The spec then silently uses output_shape for the height
     * only (or not at all), and even accepts explicit pads alongside it.
     */
    @Test
    void negativeOutputShapeWidthIsRejected() {
        assertRejected(() -> twoD().outputShape(5, -1).build(), "output_shape (W) -1");
        assertRejected(() -> twoD().outputShape(5, -3).build(), "output_shape (W) -3");
        assertRejected(() -> ConvTransposeSpec.builder1d(1, 1, 3).outputShape(-1).build(), "output_shape -1");
        assertRejected(() -> twoD().padding(1).outputShape(5, -1).build(), "output_shape");
    }

    @Test
    void wrongNumberOfValuesPerSetter() {
        assertRejected(() -> twoD().stride(), "stride", "got 0 values");
        assertRejected(() -> twoD().dilation(1, 2, 3), "dilation", "got 3 values");
        assertRejected(() -> twoD().pads(1, 1), "pads takes 4 values", "got 2");
        assertRejected(() -> twoD().outputShape(5), "output_shape takes 2 values", "got 1");
    }

    @Test
    void oneDimensionalMisuse() {
        ConvTransposeSpec.Builder b = ConvTransposeSpec.builder1d(2, 2, 3);
        assertRejected(() -> b.stride(1, 2), "stride takes one value for a 1-D spec", "1,2");
        assertRejected(() -> b.padding(1, 1), "padding takes one value for a 1-D spec", "1,1");
        assertRejected(() -> b.pads(1, 1, 1, 1), "pads takes 2 values", "1-D", "got 4");
        assertRejected(() -> b.outputShape(5, 5), "output_shape takes 1 value", "1-D", "got 2");
        ConvTransposeSpec spec = b.build();
        assertRejected(() -> spec.geometry(1, 2, 3, 5), "input height 3", "1-D");
        assertRejected(() -> spec.geometry(1, 2), "input rank 2");
        // A 1-D spec accepts (N, C, W) and (N, C, 1, W) alike.
        assertArrayEquals(new long[] {1, 2, 7}, spec.geometry(1, 2, 5).outputShape());
        assertArrayEquals(new long[] {1, 2, 1, 7}, spec.geometry(1, 2, 1, 5).outputShape());
        assertArrayEquals(new long[] {2, 2, 3}, spec.weightShape());
    }

    @Test
    void inputShapeMustFitTheSpec() {
        ConvTransposeSpec spec = twoD().build();
        assertRejected(() -> spec.geometry(1, 4, 5), "input rank 3", "2-D spec");
        assertRejected(() -> spec.geometry(1, 4, 5, 5, 5), "input rank 5");
        assertRejected(() -> spec.geometry(1, 3, 5, 5), "input channels 3", "inChannels 4");
        assertRejected(() -> spec.geometry(0, 4, 5, 5), "input batch N 0");
        assertRejected(() -> spec.geometry(1, 4, 0, 5), "input height 0");
        assertRejected(() -> spec.geometry(1, 4, 5, -1), "input width -1");
        assertRejected(() -> spec.geometry(1, 4, 5, 1L << 32), "input width 4294967296");
    }

    @Test
    void outputSmallerThanOneIsRejected() {
        // (2-1)*1 + 3 - 2*2 = 0.
        ConvTransposeSpec spec = twoD().padding(2).build();
        assertRejected(() -> spec.geometry(1, 4, 2, 2), "output height 0 < 1", "input height 2", "pads 2,2");
        ConvTransposeSpec asymmetric = twoD().pads(0, 3, 0, 2).build();
        assertRejected(() -> asymmetric.geometry(1, 4, 5, 2), "output width -1 < 1", "pads 3,2");
    }

    @Test
    void outputSizeFormulaPerAxis() {
        // (in-1)*stride - padBegin - padEnd + dilation*(k-1) + output_padding + 1
        ConvTransposeGeometry g = ConvTransposeSpec.builder(1, 1, 3, 4).stride(2, 3).pads(1, 0, 2, 1)
                .dilation(2, 1).outputPadding(1, 2).build().geometry(1, 1, 5, 4);
        assertEquals((5 - 1) * 2 - 1 - 2 + 2 * 2 + 1 + 1, g.height().out());
        assertEquals((4 - 1) * 3 - 0 - 1 + 3 + 2 + 1, g.width().out());
        assertEquals(1, g.height().padBegin());
        assertEquals(0, g.width().padBegin());
        assertEquals(2 - 1, g.height().padEnd(), "padEnd is the end padding less output_padding");
    }

    @Test
    void autoPadSameGivesInputTimesStride() {
        for (AutoPad mode : new AutoPad[] {AutoPad.SAME_UPPER, AutoPad.SAME_LOWER}) {
            ConvTransposeGeometry g = twoD().stride(2).autoPad(mode).build().geometry(1, 4, 5, 3);
            assertEquals(10, g.height().out());
            assertEquals(6, g.width().out());
        }
        // Natural 3*2 + 3 = 9 along H and 7 along W for in 5x3; totals 1 and 1.
        assertEquals(0, twoD().stride(2).autoPad(AutoPad.SAME_UPPER).build().geometry(1, 4, 5, 3).height().padBegin());
        assertEquals(1, twoD().stride(2).autoPad(AutoPad.SAME_LOWER).build().geometry(1, 4, 5, 3).height().padBegin());
        ConvTransposeGeometry valid = twoD().stride(2).autoPad(AutoPad.VALID).build().geometry(1, 4, 5, 3);
        assertEquals(11, valid.height().out());
        assertEquals(0, valid.height().padBegin());
    }

    @Test
    void outputShapeSplitsTheTotalPaddingWithFloorDivision() {
        ConvTransposeSpec.Builder b = ConvTransposeSpec.builder1d(1, 1, 3).stride(2);
        // Natural (3-1)*2 + 3 = 7.
        assertEquals(1, b.outputShape(6).build().geometry(1, 1, 3).width().padBegin(), "total 1, NOTSET: 1 - 0");
        assertEquals(0, b.outputShape(8).build().geometry(1, 1, 3).width().padBegin(), "total -1: -1 - (-1)");
        assertEquals(-1, b.outputShape(9).build().geometry(1, 1, 3).width().padBegin(), "total -2: -2 - (-1)");
        ConvTransposeSpec.Builder upper = ConvTransposeSpec.builder1d(1, 1, 3).stride(2).autoPad(AutoPad.SAME_UPPER);
        assertEquals(0, upper.outputShape(6).build().geometry(1, 1, 3).width().padBegin(), "total 1: 1//2");
        assertEquals(-1, upper.outputShape(8).build().geometry(1, 1, 3).width().padBegin(), "total -1: -1//2");
    }

    @Test
    void equalityAndToString() {
        assertEquals(twoD().stride(2).build(), twoD().stride(2).build());
        assertEquals(twoD().stride(2).build().hashCode(), twoD().stride(2).build().hashCode());
        assertNotEquals(twoD().stride(2).build(), twoD().stride(2).bias(false).build());
        assertNotEquals(twoD().build(), twoD().autoPad(AutoPad.SAME_LOWER).build());
        String s = ConvTransposeSpec.builder(4, 6, 3, 2).stride(2, 1).groups(2).outputShape(7, 8).bias(false).build()
                .toString();
        assertTrue(s.contains("4->6") && s.contains("k=3x2") && s.contains("s=2x1") && s.contains("groups=2")
                && s.contains("output_shape=7x8") && s.contains("no bias"), s);
        assertTrue(ConvTransposeSpec.builder1d(1, 1, 3).build().toString().contains("1-D"));
    }

    private static ConvTransposeSpec.Builder threeD() {
        return ConvTransposeSpec.builder3d(4, 6, 2, 3, 4);
    }

    @Test
    void threeDimensionalSpecHasOneRulePerAxis() {
        ConvTransposeSpec s = threeD().stride(1, 2, 3).pads(0, 1, 2, 3, 4, 5).outputPadding(0, 1, 2).dilation(3, 1, 1)
                .groups(2).build();
        assertEquals(3, s.spatialRank());
        assertArrayEquals(new long[] {4, 3, 2, 3, 4}, s.weightShape());
        assertEquals(4 * 3 * 24, s.weightCount());
        assertEquals(24, s.kernelTaps());
        assertEquals(new ConvTransposeSpec.AxisRule(2, 1, 3, 0, 3, 0, -1), s.axes().get(0));
        assertEquals(new ConvTransposeSpec.AxisRule(3, 2, 1, 1, 4, 1, -1), s.axes().get(1));
        assertEquals(new ConvTransposeSpec.AxisRule(4, 3, 1, 2, 5, 2, -1), s.axes().get(2));
        // The 2-D accessors read the last two axes.
        assertEquals(3, s.kernelH());
        assertEquals(3, s.strideW());
        assertEquals(5, s.padRight());
        assertTrue(s.toString().contains("3-D, k=2x3x4, s=1x2x3, pads(begins,ends)=0,1,2,3,4,5, op=0x1x2, d=3x1x1"),
                s.toString());
        // One value sets every axis.
        assertEquals(List.of(2, 2, 2), threeD().stride(2).build().axes().stream().map(ConvTransposeSpec.AxisRule::stride)
                .toList());
        assertNotEquals(threeD().build(), ConvTransposeSpec.builder(4, 6, 3, 4).build());
        assertEquals(threeD().stride(2).build(), threeD().stride(2, 2, 2).build());
    }

    @Test
    void threeDimensionalRulesNameTheAxis() {
        assertRejected(() -> ConvTransposeSpec.builder3d(1, 1, 0, 3, 3).build(), "kernel (D) 0");
        assertRejected(() -> threeD().stride(1, 0, 1).build(), "stride (H) 0");
        assertRejected(() -> threeD().dilation(1, 1, -2).build(), "dilation (W) -2");
        assertRejected(() -> threeD().pads(-1, 0, 0, 0, 0, 0).build(), "padding (D begin) -1");
        assertRejected(() -> threeD().pads(0, 0, 0, -7, 0, 0).build(), "padding (D end) -7");
        assertRejected(() -> threeD().stride(2, 1, 1).outputPadding(2, 0, 0).build(), "output_padding (D) 2",
                "stride 2", "dilation 1");
        assertRejected(() -> threeD().outputShape(0, 4, 4).build(), "output_shape (D) 0");
        assertRejected(() -> threeD().stride(1, 2), "stride takes one value or (depth, height, width), got 2 values");
        assertRejected(() -> threeD().pads(1, 1, 1, 1), "pads takes 6 values (begins, then ends) for a 3-D spec, got 4");
        assertRejected(() -> threeD().outputShape(4, 4),
                "output_shape takes 3 values (depth, height, width) for a 3-D spec, got 2");
        assertRejected(() -> threeD().padding(1).outputShape(4, 4, 4).build(), "output_shape 4,4,4",
                "pads/padding 1,1,1,1,1,1");
    }

    @Test
    void threeDimensionalGeometry() {
        ConvTransposeSpec spec = threeD().stride(2, 1, 3).padding(1, 0, 2).build();
        assertRejected(() -> spec.geometry(1, 4, 5, 5), "input rank 4", "3-D spec: expected (N, C, D, H, W)");
        assertRejected(() -> spec.geometry(1, 4, 0, 5, 5), "input depth 0");
        assertRejected(() -> spec.geometry(1, 3, 2, 5, 5), "input channels 3");
        ConvTransposeGeometry g = spec.geometry(2, 4, 3, 5, 6);
        // Per axis (in-1)*stride - 2*padding + dilation*(k-1) + 1.
        assertArrayEquals(new long[] {2, 6, (3 - 1) * 2 - 2 + 2, (5 - 1) - 0 + 3, (6 - 1) * 3 - 4 + 4}, g.outputShape());
        assertEquals(5, g.inputRank());
        assertEquals(3 * 5 * 6, g.inputPlane());
        assertEquals(g.axes().get(0), g.depth());
        assertEquals(g.axes().get(1), g.height());
        assertEquals(g.axes().get(2), g.width());
        assertEquals(2.0 * 2 * 4 * 6 * (3 * 2) * (5 * 3) * (6 * 4), g.flops());
        // Below rank 5 the depth is a size-1 axis.
        ConvTransposeGeometry flat = twoD().build().geometry(1, 4, 5, 5);
        assertEquals(new ConvTransposeGeometry.Axis(1, 1, 1, 1, 1, 0), flat.depth());
        ConvTransposeSpec small = ConvTransposeSpec.builder3d(1, 1, 3, 3, 3).padding(2).build();
        assertRejected(() -> small.geometry(1, 1, 2, 3, 3), "output depth 0 < 1", "input depth 2");
    }
}
