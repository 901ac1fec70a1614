package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Useful FLOPs: the taps that land inside the cropped output, counted by hand; the 3-D layers' shapes. */
class SuiteLayerTest {

    @Test
    void withoutPaddingEveryTapIsUseful() {
        // 2x2 input, 3x3 kernel, stride 1, no padding: the 4x4 output keeps every tap.
        assertEquals(2.0 * 2 * 2 * 9, SuiteLayer.TINY_2X2_K3.usefulFlops());
        assertEquals(SuiteLayer.TINY_2X2_K3.flops(), SuiteLayer.TINY_2X2_K3.usefulFlops());
    }

    @Test
    void paddingCropsTheBorderTaps() {
        // Kernel 4, stride 2, padding 1, 4 inputs -> 8 outputs: o = 2i - 1 + k leaves the output only
        // for (i, k) = (0, 0) and (3, 3), so 14 of 16 pairs per axis are useful.
        assertEquals(SuiteLayer.DCGAN_L2.flops() * (14.0 / 16) * (14.0 / 16), SuiteLayer.DCGAN_L2.usefulFlops(), 1e-3);
        // Kernel 16, stride 8, padding 4, 64 -> 512: four taps fall off each end of each axis.
        assertEquals(SuiteLayer.FCN_UP8_DW.flops() * (1016.0 / 1024) * (1016.0 / 1024),
                SuiteLayer.FCN_UP8_DW.usefulFlops(), 1e-3);
    }

    @Test
    void threeDimensionalLayersCountEveryAxis() {
        // Kernel 4, stride 2, padding 1 on each of D, H and W: 14 of 16 pairs per axis, as in 2-D.
        assertEquals(2.0 * 512 * 256 * 16 * 16 * 16, SuiteLayer.VGAN3D.flops());
        assertEquals(SuiteLayer.VGAN3D.flops() * (14.0 / 16) * (14.0 / 16) * (14.0 / 16), SuiteLayer.VGAN3D.usefulFlops(),
                1e-3);
        // Kernel 2, stride 2, no padding: the output tiles exactly, every tap lands.
        assertEquals(2.0 * 256 * 128 * 32 * 32 * 32, SuiteLayer.UNET3D_UP.usefulFlops());
        assertEquals("(1,512,4,4,4) -> (1,256,8,8,8)", SuiteLayer.VGAN3D.shapes());
        assertEquals("(1,128,32,32,32) -> (1,64,64,64,64)", SuiteLayer.VNET_UP.shapes());
        assertEquals("(1,256,16,16,16) -> (1,128,32,32,32)", SuiteLayer.UNET3D_UP.shapes());
    }
}
