package dev.convt.bench;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.ToLongFunction;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.deconvolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * oneDNN's {@code deconvolution_forward} primitive (f32, {@code forward_inference}, bias) for one
 * suite layer, with its operands in place: everything but {@link #forward()} happens in
 * {@link #open}, so a timed call is only {@code execute} and {@code stream.wait}.
 *
 * <p>Weights and bias are always packed once into the layout oneDNN prefers, like a model's
 * weights at load time. Source and destination are in plain NCHW ({@code ncw} for the 1-D layer,
 * {@code ncdhw} for the 3-D ones), what a caller of convt holds, or in oneDNN's own preferred
 * layouts, with the input reordered into it once before timing: the speed a whole oneDNN network
 * gets, where only its edges convert.
 */
final class OneDnnDeconvolution implements AutoCloseable {

    /** The layouts of source and destination. */
    enum Layout {
        /** Plain NCHW, as a convt user holds the tensors. */
        NCHW("oneDNN, NCHW"),
        /** {@code format_tag::any}: whichever (usually channel-blocked) layout oneDNN picks. */
        OWN("oneDNN, own layout");

        final String label;

        Layout(String label) {
            this.label = label;
        }
    }

    /** Every native object made for this primitive, closed in reverse order. */
    private final Deque<Pointer> owned;
    private final stream executionStream;
    private final deconvolution_forward primitive;
    private final IntMemoryMap arguments;
    private final memory dst;
    private final memory plainDst;
    private final String implementation;

    private OneDnnDeconvolution(Deque<Pointer> owned, stream executionStream, deconvolution_forward primitive,
            IntMemoryMap arguments, memory dst, memory plainDst, String implementation) {
        this.owned = owned;
        this.executionStream = executionStream;
        this.primitive = primitive;
        this.arguments = arguments;
        this.dst = dst;
        this.plainDst = plainDst;
        this.implementation = implementation;
    }

    /**
     * Makes the primitive for {@code data}'s layer and loads its operands. The calling thread's
     * OpenMP thread count is set first, since oneDNN sizes the primitive's work split by it.
     *
     * @param data the layer, its input, weights and bias
     * @param layout the layout of source and destination
     * @param threads OpenMP threads, at least 1
     * @return the primitive; close it
     */
    static OneDnnDeconvolution open(LayerData data, Layout layout, int threads) {
        OneDnn.get().setThreads(threads);
        Deque<Pointer> owned = new ArrayDeque<>();
        try {
            return open(data, layout, owned);
        } catch (RuntimeException e) {
            owned.forEach(Pointer::close);
            throw e;
        }
    }

    private static OneDnnDeconvolution open(LayerData data, Layout layout, Deque<Pointer> owned) {
        ConvTransposeGeometry g = data.layer().geometry();
        ConvTransposeSpec spec = g.spec();
        List<ConvTransposeGeometry.Axis> axes = g.axes();
        engine eng = own(owned, new engine(engine.kind.cpu, 0));
        stream strm = own(owned, new stream(eng, stream.flags.default_flags));
        memory.format_tag plain = switch (axes.size()) {
            case 1 -> memory.format_tag.ncw;
            case 2 -> memory.format_tag.nchw;
            default -> memory.format_tag.ncdhw;
        };
        memory.desc plainSrc = own(owned, new memory.desc(g.inputShape(), memory.data_type.f32, plain));
        memory.desc plainDstDesc = own(owned, new memory.desc(g.outputShape(), memory.data_type.f32, plain));
        memory.desc torchWeights = own(owned, new memory.desc(weightDims(g), memory.data_type.f32,
                torchWeightStrides(g)));
        memory.desc bias = own(owned, new memory.desc(new long[] {spec.outChannels()}, memory.data_type.f32,
                memory.format_tag.x));
        memory.desc anyWeights = own(owned, new memory.desc(weightDims(g), memory.data_type.f32,
                memory.format_tag.any));
        boolean ownLayout = layout == Layout.OWN;
        memory.desc src = ownLayout
                ? own(owned, new memory.desc(g.inputShape(), memory.data_type.f32, memory.format_tag.any)) : plainSrc;
        memory.desc dstDesc = ownLayout
                ? own(owned, new memory.desc(g.outputShape(), memory.data_type.f32, memory.format_tag.any))
                : plainDstDesc;
        long[] strides = each(axes, ConvTransposeGeometry.Axis::stride);
        // oneDNN counts dilation from 0 (no gap between taps), PyTorch and ONNX from 1.
        long[] dilation = each(axes, a -> a.dilation() - 1);
        long[] padBegin = each(axes, ConvTransposeGeometry.Axis::padBegin);
        // The end pad net of output padding, which oneDNN takes instead of an output padding.
        long[] padEnd = each(axes, ConvTransposeGeometry.Axis::padEnd);
        deconvolution_forward.primitive_desc pd = own(owned, new deconvolution_forward.primitive_desc(eng,
                dnnl.prop_kind.forward_inference, dnnl.algorithm.deconvolution_direct, src, anyWeights, bias, dstDesc,
                strides, dilation, padBegin, padEnd));
        deconvolution_forward primitive = own(owned, new deconvolution_forward(pd));
        memory.desc chosenSrc = own(owned, pd.src_desc());
        memory.desc chosenWeights = own(owned, pd.weights_desc());
        memory.desc chosenDst = own(owned, pd.dst_desc());
        memory srcMemory = prepared(owned, eng, strm, plainSrc, chosenSrc, data.input());
        memory weightMemory = prepared(owned, eng, strm, torchWeights, chosenWeights, data.weights());
        memory biasMemory = filled(own(owned, new memory(bias, eng)), data.bias());
        memory plainDst = own(owned, new memory(plainDstDesc, eng));
        memory dst = chosenDst.equals(plainDstDesc) ? plainDst : own(owned, new memory(chosenDst, eng));
        IntMemoryMap arguments = own(owned, new IntMemoryMap()).put(dnnl.DNNL_ARG_SRC, srcMemory)
                .put(dnnl.DNNL_ARG_WEIGHTS, weightMemory).put(dnnl.DNNL_ARG_BIAS, biasMemory)
                .put(dnnl.DNNL_ARG_DST, dst);
        String implementation = pd.impl_info_str().getString() + "; src " + layoutName(chosenSrc) + ", weights "
                + layoutName(chosenWeights) + ", dst " + layoutName(chosenDst);
        return new OneDnnDeconvolution(owned, strm, primitive, arguments, dst, plainDst, implementation);
    }

    private static <T extends Pointer> T own(Deque<Pointer> owned, T pointer) {
        owned.push(pointer);
        return pointer;
    }

    /** @return {@code f} of each spatial axis, in tensor order */
    private static long[] each(List<ConvTransposeGeometry.Axis> axes, ToLongFunction<ConvTransposeGeometry.Axis> f) {
        return axes.stream().mapToLong(f).toArray();
    }

    /** oneDNN's weight dims: {@code (Cout, Cin, [kD,] [kH,] kW)}, with a leading group axis if grouped. */
    private static long[] weightDims(ConvTransposeGeometry g) {
        ConvTransposeSpec spec = g.spec();
        long groups = spec.groups();
        long outPerGroup = spec.outChannels() / groups;
        long inPerGroup = spec.inChannels() / groups;
        long[] kernel = each(g.axes(), ConvTransposeGeometry.Axis::kernel);
        long[] head = groups == 1 ? new long[] {outPerGroup, inPerGroup} : new long[] {groups, outPerGroup, inPerGroup};
        return concat(head, kernel);
    }

    /**
     * Strides that read convt's (PyTorch's) weights {@code [G * Cin/G, Cout/G, k...]} in place
     * under {@link #weightDims}: output channel inner to input channel, the reverse of oneDNN's
     * dims order.
     */
    private static long[] torchWeightStrides(ConvTransposeGeometry g) {
        ConvTransposeSpec spec = g.spec();
        long groups = spec.groups();
        long outPerGroup = spec.outChannels() / groups;
        long inPerGroup = spec.inChannels() / groups;
        long taps = spec.kernelTaps();
        // Each kernel axis steps over the taps of the axes after it.
        long[] kernel = new long[g.axes().size()];
        long step = 1;
        for (int a = kernel.length - 1; a >= 0; a--) {
            kernel[a] = step;
            step *= g.axes().get(a).kernel();
        }
        long[] channels = {taps, outPerGroup * taps};
        long[] head = groups == 1 ? channels : new long[] {inPerGroup * outPerGroup * taps, channels[0], channels[1]};
        return concat(head, kernel);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = new long[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Memory in {@code wanted}'s layout holding {@code values}, given in {@code given}'s layout. */
    private static memory prepared(Deque<Pointer> owned, engine eng, stream strm, memory.desc given,
            memory.desc wanted, float[] values) {
        memory plain = filled(own(owned, new memory(given, eng)), values);
        if (wanted.equals(given)) {
            return plain;
        }
        memory packed = own(owned, new memory(wanted, eng));
        own(owned, new reorder(plain, packed)).execute(strm, plain, packed);
        strm._wait();
        return packed;
    }

    private static memory filled(memory m, float[] values) {
        new FloatPointer(m.get_data_handle()).capacity(values.length).put(values);
        return m;
    }

    /** One call: the timed part. */
    void forward() {
        primitive.execute(executionStream, arguments);
        executionStream._wait();
    }

    /**
     * @return the last call's output in C order (NCHW, NCDHW), reordered from oneDNN's own layout if
     *     that is where it was written
     */
    float[] output() {
        if (dst != plainDst) {
            try (reorder toPlain = new reorder(dst, plainDst)) {
                toPlain.execute(executionStream, dst, plainDst);
            }
            executionStream._wait();
        }
        float[] out = new float[elements(plainDst)];
        new FloatPointer(plainDst.get_data_handle()).capacity(out.length).get(out);
        return out;
    }

    /**
     * @return what {@code impl_info_str} names for the primitive, and the layouts it runs on, e.g.
     *     {@code brg_conv_bwd_d:avx512_core; src aBcd16b, weights ..., dst aBcd16b}
     */
    String implementation() {
        return implementation;
    }

    /** Fills every destination element with NaN, so one the primitive leaves unwritten fails the check. */
    void poisonOutput() {
        for (memory m : dst == plainDst ? new memory[] {dst} : new memory[] {dst, plainDst}) {
            float[] nan = new float[elements(m)];
            Arrays.fill(nan, Float.NaN);
            new FloatPointer(m.get_data_handle()).capacity(nan.length).put(nan);
        }
    }

    /** @return the floats {@code m} holds, padding of a blocked layout included */
    private static int elements(memory m) {
        try (memory.desc desc = m.get_desc()) {
            return Math.toIntExact(desc.get_size() / Float.BYTES);
        }
    }

    /**
     * oneDNN's name for a layout, from the order of the strides and the inner blocks: {@code abcd}
     * is NCHW, {@code acdb} NHWC, {@code aBcd16b} channels blocked by 16 (capitals are blocked axes).
     */
    static String layoutName(memory.desc md) {
        if (md.get_format_kind().value != memory.format_kind.blocked.value) {
            return md.get_format_kind().toString();
        }
        int rank = md.get_ndims();
        long[] strides = values(md.get_strides(), rank);
        int blocks = md.get_inner_nblks();
        long[] blockSizes = values(md.get_inner_blks(), blocks);
        long[] blockAxes = values(md.get_inner_idxs(), blocks);
        boolean[] blocked = new boolean[rank];
        for (long axis : blockAxes) {
            blocked[(int) axis] = true;
        }
        StringBuilder name = new StringBuilder();
        boolean[] placed = new boolean[rank];
        for (int n = 0; n < rank; n++) {
            // The outermost axis not yet placed: the largest stride, the lower axis on ties.
            int next = -1;
            for (int a = 0; a < rank; a++) {
                if (!placed[a] && (next < 0 || strides[a] > strides[next])) {
                    next = a;
                }
            }
            placed[next] = true;
            name.append((char) ((blocked[next] ? 'A' : 'a') + next));
        }
        for (int b = 0; b < blocks; b++) {
            name.append(blockSizes[b]).append((char) ('a' + blockAxes[b]));
        }
        return name.toString();
    }

    private static long[] values(LongPointer pointer, int count) {
        long[] out = new long[count];
        if (count > 0) {
            pointer.get(out);
        }
        return out;
    }

    @Override
    public void close() {
        owned.forEach(Pointer::close);
        owned.clear();
    }
}
