package dev.convt.bench;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The benchmark suite: transposed convolutions taken from published networks, float32 NCHW
 * (NCDHW for the 3-D layers), bias on. A layer's id is its constant's name in lower case ({@code dcgan_l2}).
 */
public enum SuiteLayer {
    DCGAN_L1("DCGAN generator", ConvTransposeSpec.builder(100, 512, 4, 4), 1, 1, 1),
    DCGAN_L2("DCGAN", ConvTransposeSpec.builder(512, 256, 4, 4).stride(2).padding(1), 1, 4, 4),
    DCGAN_L3("DCGAN", ConvTransposeSpec.builder(256, 128, 4, 4).stride(2).padding(1), 1, 8, 8),
    DCGAN_L4("DCGAN", ConvTransposeSpec.builder(128, 64, 4, 4).stride(2).padding(1), 1, 16, 16),
    DCGAN_L5("DCGAN (RGB out)", ConvTransposeSpec.builder(64, 3, 4, 4).stride(2).padding(1), 1, 32, 32),
    DCGAN_L3_B8("DCGAN, batch 8", ConvTransposeSpec.builder(256, 128, 4, 4).stride(2).padding(1), 8, 8, 8),
    UNET_UP("U-Net up-conv", ConvTransposeSpec.builder(512, 256, 2, 2).stride(2), 1, 32, 32),
    UNET_UP_HI("U-Net, high res", ConvTransposeSpec.builder(128, 64, 2, 2).stride(2), 1, 128, 128),
    ERFNET_UP("ERFNet decoder",
            ConvTransposeSpec.builder(128, 64, 3, 3).stride(2).padding(1).outputPadding(1), 1, 64, 128),
    FCN_UP8_DW("FCN-8s x8 upsampling, depthwise",
            ConvTransposeSpec.builder(21, 21, 16, 16).stride(8).padding(4).groups(21), 1, 64, 64),
    FSRCNN_X3("FSRCNN x3", ConvTransposeSpec.builder(56, 1, 9, 9).stride(3).padding(4).outputPadding(2), 1, 128, 128),
    HIFIGAN_UP1("HiFi-GAN vocoder (1-D)", ConvTransposeSpec.builder1d(512, 256, 16).stride(8).padding(4), 1, 1, 128),
    DIL_GROUP("dilated + grouped",
            ConvTransposeSpec.builder(64, 64, 3, 3).stride(2).padding(2).outputPadding(1).dilation(2).groups(4),
            1, 32, 32),
    TINY_2X2_K3("a 2x2 input, one 3x3 kernel", ConvTransposeSpec.builder(1, 1, 3, 3), 1, 2, 2),
    UNET3D_UP("3-D U-Net up-conv", ConvTransposeSpec.builder3d(256, 128, 2, 2, 2).stride(2), 1, 16, 16, 16),
    VNET_UP("V-Net up-conv", ConvTransposeSpec.builder3d(128, 64, 2, 2, 2).stride(2), 1, 32, 32, 32),
    VGAN3D("3-D GAN generator", ConvTransposeSpec.builder3d(512, 256, 4, 4, 4).stride(2).padding(1), 1, 4, 4, 4);

    private final String origin;
    private final ConvTransposeSpec spec;
    private final long[] inputShape;

    /** A 1-D or 2-D layer; a 1-D spec ignores {@code height}. */
    SuiteLayer(String origin, ConvTransposeSpec.Builder spec, int batch, int height, int width) {
        this(origin, spec, batch, 1, height, width);
    }

    /** The input's spatial sizes are the last {@code spec.spatialRank()} of {@code (depth, height, width)}. */
    SuiteLayer(String origin, ConvTransposeSpec.Builder spec, int batch, int depth, int height, int width) {
        this.origin = origin;
        this.spec = spec.build();
        long[] spatial = {depth, height, width};
        this.inputShape = LongStream.concat(LongStream.of(batch, this.spec.inChannels()),
                Arrays.stream(spatial, spatial.length - this.spec.spatialRank(), spatial.length)).toArray();
    }

    /**
     * @param id a layer id, e.g. {@code dcgan_l2}
     * @return the layer
     * @throws IllegalArgumentException naming the known ids if {@code id} is not one
     */
    public static SuiteLayer byId(String id) {
        for (SuiteLayer layer : values()) {
            if (layer.id().equals(id)) {
                return layer;
            }
        }
        throw new IllegalArgumentException("unknown layer '" + id + "'; known: " + ids(List.of(values())));
    }

    /** @return the ids joined by commas, as JMH's {@code -p layer=} takes them */
    public static String ids(List<SuiteLayer> layers) {
        return layers.stream().map(SuiteLayer::id).collect(Collectors.joining(","));
    }

    /** @return the id used in JMH parameters and the report */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the network the layer comes from */
    public String origin() {
        return origin;
    }

    /** @return the spec */
    public ConvTransposeSpec spec() {
        return spec;
    }

    /** @return {@code (N, Cin, H, W)}, {@code (N, Cin, W)} for the 1-D layer, {@code (N, Cin, D, H, W)} for 3-D */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** @return the geometry for {@link #inputShape()} */
    public ConvTransposeGeometry geometry() {
        return spec.geometry(inputShape);
    }

    /** @return the conventional FLOP count of one forward call */
    public double flops() {
        return geometry().flops();
    }

    /**
     * The FLOPs that reach the output: like {@link #flops()}, but counting only the (input, tap)
     * pairs whose output position lies inside the cropped output; padding and a stride smaller
     * than the kernel leave some taps on the border that is cut away.
     *
     * @return {@code 2 * N * Cin * (Cout/groups)} times {@code usefulPairs} of every spatial axis
     */
    public double usefulFlops() {
        ConvTransposeGeometry g = geometry();
        double flops = 2.0 * g.batch() * spec.inChannels() * ((double) spec.outChannels() / spec.groups());
        for (ConvTransposeGeometry.Axis axis : g.axes()) {
            flops *= usefulPairs(axis);
        }
        return flops;
    }

    /** @return the (input, tap) pairs along one axis whose output {@code i*stride - padBegin + k*dilation} is kept */
    private static long usefulPairs(ConvTransposeGeometry.Axis axis) {
        long pairs = 0;
        for (long i = 0; i < axis.in(); i++) {
            for (long k = 0; k < axis.kernel(); k++) {
                long o = i * axis.stride() - axis.padBegin() + k * axis.dilation();
                if (o >= 0 && o < axis.out()) {
                    pairs++;
                }
            }
        }
        return pairs;
    }

    /** @return bytes of input, weights, bias and output: what one call must at least read or write once */
    public double bytes() {
        ConvTransposeGeometry g = geometry();
        return (double) Float.BYTES * (g.inputCount() + spec.weightCount() + spec.outChannels() + g.outputCount());
    }

    /** @return e.g. {@code (1,512,4,4) -> (1,256,8,8)}: {@code (N,C,H,W)}, {@code (N,C,W)} or {@code (N,C,D,H,W)} */
    public String shapes() {
        ConvTransposeGeometry g = geometry();
        return format(g.inputShape()) + " -> " + format(g.outputShape());
    }

    private static String format(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "(", ")"));
    }
}
