package dev.convt.bench;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeLayer;
import dev.convt.Epilogue;
import dev.convt.onnx.OnnxConvTransposeModel;
import dev.convt.onnx.OnnxGraph;
import dev.convt.reference.DirectReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The DCGAN generator as a whole network: the five suite layers {@code dcgan_l1} to
 * {@code dcgan_l5}, each of the first four followed by an inference-mode BatchNorm and ReLU, the
 * last by tanh. Weights and inputs are the suite layers' own ({@link LayerData}); the BatchNorm
 * parameters are drawn from a fixed seed, with variances well above zero.
 *
 * @param stages the layers in order
 */
record DcganNetwork(List<Stage> stages) {

    /** BatchNorm's epsilon, ONNX's default, so the ONNX graph needs no attribute for it. */
    static final float EPS = 1e-5f;

    private static final long SEED = 20251202L;
    private static final List<SuiteLayer> LAYERS = List.of(SuiteLayer.DCGAN_L1, SuiteLayer.DCGAN_L2,
            SuiteLayer.DCGAN_L3, SuiteLayer.DCGAN_L4, SuiteLayer.DCGAN_L5);

    /**
     * One layer with what follows it.
     *
     * @param data the layer, its weights and bias; the input is used only for the first stage
     * @param batchNorm the BatchNorm after it, or null (the last stage)
     * @param activation ReLU, or tanh after the last stage
     */
    record Stage(LayerData data, BatchNorm batchNorm, Epilogue activation) {

        SuiteLayer layer() {
            return data.layer();
        }
    }

    /**
     * Inference-mode BatchNorm parameters, {@code Cout} each:
     * {@code y = (x - mean) * gamma / sqrt(variance + eps) + beta}.
     */
    record BatchNorm(float[] gamma, float[] beta, float[] mean, float[] variance) {

        /** @return {@code gamma / sqrt(variance + eps)} of channel {@code c}, in double */
        double scale(int c) {
            return gamma[c] / Math.sqrt((double) variance[c] + EPS);
        }
    }

    static DcganNetwork create() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<Stage> stages = new ArrayList<>();
        for (SuiteLayer layer : LAYERS) {
            boolean last = layer == SuiteLayer.DCGAN_L5;
            int c = layer.spec().outChannels();
            stages.add(new Stage(LayerData.of(layer), last ? null
                    : new BatchNorm(LayerData.uniform(random, c, 0.5, 1.5), LayerData.uniform(random, c, -0.2, 0.2),
                            LayerData.uniform(random, c, -0.2, 0.2), LayerData.uniform(random, c, 0.25, 2)),
                    last ? Epilogue.tanh() : Epilogue.relu()));
        }
        return new DcganNetwork(List.copyOf(stages));
    }

    /** @return the network's input, {@code dcgan_l1}'s: the latent vector {@code (1, 100, 1, 1)} */
    float[] input() {
        return stages.getFirst().data().input();
    }

    long[] inputShape() {
        return stages.getFirst().layer().inputShape();
    }

    long[] outputShape() {
        return stages.getLast().layer().geometry().outputShape();
    }

    /** @return the nominal FLOPs of the five transposed convolutions (BatchNorm and activations not counted) */
    double flops() {
        return stages.stream().mapToDouble(s -> s.layer().flops()).sum();
    }

    /** @return the layers as convt runs them: BatchNorm folded into weights and bias, activation fused */
    List<ConvTransposeLayer> convtLayers() {
        List<ConvTransposeLayer> layers = new ArrayList<>();
        for (Stage stage : stages) {
            ConvTransposeLayer.Builder builder = ConvTransposeLayer.builder(stage.layer().spec())
                    .weights(stage.data().weights()).bias(stage.data().bias()).epilogue(stage.activation());
            BatchNorm bn = stage.batchNorm();
            if (bn != null) {
                builder.foldBatchNorm(bn.gamma(), bn.beta(), bn.mean(), bn.variance(), EPS);
            }
            layers.add(builder.build());
        }
        return layers;
    }

    /**
     * @return the network as an ONNX graph, input {@code X}, output {@code Y}: ConvTranspose,
     *     BatchNormalization and Relu nodes per stage, Tanh at the end
     */
    byte[] onnxModel() {
        OnnxGraph graph = new OnnxGraph("dcgan-generator");
        String value = "X";
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            var spec = stage.layer().spec();
            String p = "l" + (i + 1) + ".";
            graph.initializer(p + "W", spec.weightShape(), stage.data().weights())
                    .initializer(p + "B", new long[] {spec.outChannels()}, stage.data().bias());
            var attributes = OnnxConvTransposeModel.Attributes.of(spec, 4);
            graph.add(new OnnxGraph.Node("ConvTranspose", p + "convtranspose", List.of(value, p + "W", p + "B"),
                    p + "conv").ints("kernel_shape", attributes.kernelShape()).ints("strides", attributes.strides())
                    .ints("pads", attributes.pads()));
            value = p + "conv";
            BatchNorm bn = stage.batchNorm();
            if (bn != null) {
                long[] channels = {spec.outChannels()};
                graph.initializer(p + "gamma", channels, bn.gamma()).initializer(p + "beta", channels, bn.beta())
                        .initializer(p + "mean", channels, bn.mean()).initializer(p + "var", channels, bn.variance());
                graph.add(new OnnxGraph.Node("BatchNormalization", p + "bn",
                        List.of(value, p + "gamma", p + "beta", p + "mean", p + "var"), p + "bn"));
                value = p + "bn";
            }
            boolean last = i == stages.size() - 1;
            String activation = last ? "Y" : p + "act";
            graph.add(new OnnxGraph.Node(last ? "Tanh" : "Relu", p + "act", List.of(value), activation));
            value = activation;
        }
        return graph.build("X", inputShape(), "Y");
    }

    /**
     * The network's output by the scalar reference chain, with a bound on how far a float32
     * implementation may be from it.
     *
     * <p>Each stage runs {@link DirectReference} (sums in double) on the previous stage's float
     * output, then BatchNorm in double and the activation. The bound carries the error forward:
     * each stage may add its own float rounding, at most {@link ExpectedOutput#RELATIVE_TOLERANCE}
     * times {@code |bias| + sum |x w| + |mean|} (about a thousand times what float32 summation
     * does), plus the error of its input carried through the weights as a root sum of squares,
     * {@code sqrt(sum (w e)^2)}: input errors from rounding have no common sign, and the worst
     * case {@code sum |w e|} grows some sixteen-fold per layer here, which would accept anything
     * after four layers. BatchNorm multiplies it by {@code |scale|} and adds rounding of
     * {@code beta}; ReLU and tanh do not enlarge it.
     *
     * @return the reference output and the allowed difference per element
     */
    Expected expected() {
        float[] x = input();
        double[] allowed = null;
        for (Stage stage : stages) {
            ConvTransposeGeometry g = stage.layer().geometry();
            int cout = stage.layer().spec().outChannels();
            int plane = Math.toIntExact(g.outputCount() / (g.batch() * cout));
            DirectReference.Result r = DirectReference.forwardWithMagnitudes(g, x, stage.data().weights(),
                    stage.data().bias(), Epilogue.NONE);
            double[] carried = allowed == null ? new double[r.exact().length]
                    : DirectReference.forwardWithMagnitudes(g, squares(allowed), squares(stage.data().weights()),
                            new float[cout], Epilogue.NONE).exact();
            float[] out = new float[r.exact().length];
            double[] bound = new double[out.length];
            for (int o = 0; o < out.length; o++) {
                int c = (o / plane) % cout;
                BatchNorm bn = stage.batchNorm();
                double scale = bn == null ? 1 : bn.scale(c);
                double mean = bn == null ? 0 : bn.mean()[c];
                double beta = bn == null ? 0 : bn.beta()[c];
                out[o] = stage.activation().apply((float) ((r.exact()[o] - mean) * scale + beta));
                bound[o] = Math.abs(scale) * (ExpectedOutput.RELATIVE_TOLERANCE * (r.magnitudes()[o] + Math.abs(mean))
                        + Math.sqrt(carried[o])) + ExpectedOutput.RELATIVE_TOLERANCE * Math.abs(beta)
                        + ExpectedOutput.ABSOLUTE_TOLERANCE;
            }
            x = out;
            allowed = bound;
        }
        float[] network = x;
        double[] values = new double[network.length];
        Arrays.setAll(values, i -> network[i]);
        return new Expected(values, allowed);
    }

    /** @return {@link #expected()}, computed once per suite run ({@link ExpectedOutput#cached}) */
    Expected cachedExpected() {
        double[][] pair = ExpectedOutput.cached("dcgan_network", () -> {
            Expected e = expected();
            return new double[][] {e.values(), e.allowed()};
        });
        return new Expected(pair[0], pair[1]);
    }

    private static float[] squares(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            // Rounded up, so the bound does not shrink in float.
            f[i] = Math.nextUp((float) (values[i] * values[i]));
        }
        return f;
    }

    private static float[] squares(float[] values) {
        double[] d = new double[values.length];
        Arrays.setAll(d, i -> values[i]);
        return squares(d);
    }

    /**
     * The reference output of the whole network and the allowed difference per element.
     *
     * @param values the reference chain's output
     * @param allowed the bound on |implementation - reference| per element
     */
    record Expected(double[] values, double[] allowed) {

        /**
         * Throws unless every element of {@code actual} is within its bound.
         *
         * @param implementation names the implementation in the failure message
         * @param actual the network output under test, in C order
         * @throws IllegalStateException naming the first and the worst mismatch
         */
        void check(String implementation, float[] actual) {
            ExpectedOutput.check(implementation + " on the DCGAN generator", values, allowed, actual,
                    "the bound carried through the reference chain");
        }
    }
}
