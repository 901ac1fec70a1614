package dev.convt.kernel;

import dev.convt.Epilogue;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An {@link Epilogue} in vector form, applied by the store passes. Comparisons are written so that
 * NaN stays NaN, as in the scalar definitions and in PyTorch.
 *
 * <p>Sigmoid and tanh are built from IEEE additions, multiplications, fused multiply-adds,
 * conversions and shifts only, not from the Vector API's {@code EXP}/{@code TANH}: those give
 * results an ulp apart in the interpreter and in compiled code, so the same call would change bits
 * while the JIT warms up, and results would depend on which thread ran a tile. These give the same
 * bits in every mode, within about 3 ulp of the exact functions.
 *
 * <p>The plans apply it to arrays ({@link #applyTo}), never vector by vector from
 * their own loops: inlined into a store pass, sigmoid and tanh meet C2's node-count cutoff, and a
 * vector passed to a call that is not inlined is allocated (12 bytes per output element with tanh).
 * Each loop writes its functions out with no call that takes a vector, and is called through a
 * method handle held in an instance field, which C2 cannot inline: it is then a small compilation
 * unit of its own.
 */
final class VectorEpilogue {

    private enum Kind { NONE, RELU, LEAKY_RELU, CLAMP, SIGMOID, TANH }

    private static final VectorSpecies<Float> SPECIES = TileKernel.SPECIES;
    private static final int LANES = TileKernel.LANES;

    private static final float LOG2_E = 1.44269504f;
    /** ln 2 split so that {@code k * LN2_HIGH} is exact for the {@code k} exp can meet. */
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    /** Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer. */
    private static final float ROUND = 12582912f;
    /** exp's argument range: the result stays a normal float. */
    private static final float EXP_MIN = -87f;
    private static final float EXP_MAX = 88f;
    /**
     * Sigmoid's lowest exponent: {@code e^-110} is below half the smallest subnormal, so
     * the result rounds to 0 from there down, as the definition's does.
     */
    private static final float EXP_DOWN_MIN = -110f;
    /** Sigmoid scales by {@code 2^(k + 64)} then by {@code 2^-64}: both factors stay normal floats. */
    private static final int SCALE_SPLIT = 64;
    private static final float TWO_TO_MINUS_SPLIT = 0x1p-64f;
    /** Below this magnitude tanh uses its series: the exp formula would cancel. */
    private static final float TANH_SERIES_LIMIT = 0.55f;

    private final Kind kind;
    private final float a;
    private final float b;
    /** The kind's loop ({@link #piecewiseLoop} or {@link #exponentialLoop}) bound to this epilogue: a compilation boundary (see above). */
    private final MethodHandle arrayLoop;

    private VectorEpilogue(Kind kind, float a, float b) {
        this.kind = kind;
        this.a = a;
        this.b = b;
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            boolean exponential = kind == Kind.SIGMOID || kind == Kind.TANH;
            this.arrayLoop = lookup.findVirtual(VectorEpilogue.class, exponential ? "exponentialLoop" : "piecewiseLoop",
                    MethodType.methodType(void.class, float[].class, int.class, int.class)).bindTo(this);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static VectorEpilogue of(Epilogue e) {
        return switch (e) {
            case Epilogue.Identity i -> new VectorEpilogue(Kind.NONE, 0, 0);
            case Epilogue.Relu r -> new VectorEpilogue(Kind.RELU, 0, 0);
            case Epilogue.LeakyRelu l -> new VectorEpilogue(Kind.LEAKY_RELU, l.slope(), 0);
            case Epilogue.Clamp c -> new VectorEpilogue(Kind.CLAMP, c.min(), c.max());
            case Epilogue.Sigmoid s -> new VectorEpilogue(Kind.SIGMOID, 0, 0);
            case Epilogue.Tanh t -> new VectorEpilogue(Kind.TANH, 0, 0);
        };
    }

    /** Applies the epilogue in place to {@code a[from, to)}. */
    void applyTo(float[] a, int from, int to) {
        if (kind == Kind.NONE) {
            return;
        }
        try {
            arrayLoop.invokeExact(a, from, to);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The piecewise epilogues. Every function here is written out in its loop, with no call that
     * takes or returns a vector: nothing can be boxed, whatever C2 inlines.
     */
    private void piecewiseLoop(float[] data, int from, int to) {
        for (int x = from; x < to; x += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(x, to);
            FloatVector v = FloatVector.fromArray(SPECIES, data, x, m);
            FloatVector y = switch (kind) {
                case RELU -> v.blend(0f, v.lt(0f));
                case LEAKY_RELU -> v.blend(v.mul(a), v.lt(0f));
                case CLAMP -> v.blend(a, v.lt(a)).blend(b, v.compare(VectorOperators.GT, b));
                default -> v;
            };
            y.intoArray(data, x, m);
        }
    }

    /**
     * Sigmoid and tanh, from one exponential: {@code e^u = 2^k * e^r} with {@code k = round(u /
     * ln 2)}, {@code |r| <= ln2/2} and {@code e^r} by its series to {@code r^7}.
     * <ul>
     *   <li>Sigmoid takes {@code t = e^-|x|}, down to the subnormal results and 0: {@code 2^k} can
     *       be below the smallest normal float, so it is applied in two exact power-of-two steps,
     *       the second of which rounds once into the subnormal range. The result is
     *       {@code 1 / (1 + t)} for {@code x >= 0} and {@code t / (1 + t)} below, which reaches the
     *       subnormal results and 0 (at -inf) that the definition gives.</li>
     *   <li>Tanh takes {@code e^2|x|} (clamped so that it stays a normal float) and gives
     *       {@code sign(x) * (1 - 2/(e^2|x| + 1))}, or its odd series to {@code x^17} near 0,
     *       where that formula would cancel.</li>
     * </ul>
     */
    private void exponentialLoop(float[] data, int from, int to) {
        boolean tanh = kind == Kind.TANH;
        float lowest = tanh ? EXP_MIN : EXP_DOWN_MIN;
        float highest = tanh ? EXP_MAX : 0f;
        int scale = tanh ? 0 : SCALE_SPLIT;
        float rescale = tanh ? 1f : TWO_TO_MINUS_SPLIT;
        for (int i = from; i < to; i += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(i, to);
            FloatVector x = FloatVector.fromArray(SPECIES, data, i, m);
            FloatVector magnitude = x.abs();
            FloatVector u = (tanh ? magnitude.add(magnitude) : magnitude.neg()).max(lowest).min(highest);
            FloatVector k = u.mul(LOG2_E).add(ROUND).sub(ROUND);
            FloatVector r = u.sub(k.mul(LN2_HIGH)).sub(k.mul(LN2_LOW));
            FloatVector series = r.broadcast(1f / 5040).fma(r, r.broadcast(1f / 720)).fma(r, r.broadcast(1f / 120))
                    .fma(r, r.broadcast(1f / 24)).fma(r, r.broadcast(1f / 6)).fma(r, r.broadcast(0.5f))
                    .fma(r, r.broadcast(1f)).fma(r, r.broadcast(1f));
            IntVector exponent = (IntVector) k.convert(VectorOperators.F2I, 0);
            FloatVector power = exponent.add(127 + scale).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = series.mul(power).mul(rescale);
            FloatVector y;
            if (tanh) {
                FloatVector x2 = x.mul(x);
                FloatVector odd = x2.broadcast(6404582f / 10854718875f).fma(x2, x2.broadcast(-929569f / 638512875f))
                        .fma(x2, x2.broadcast(21844f / 6081075f)).fma(x2, x2.broadcast(-1382f / 155925f))
                        .fma(x2, x2.broadcast(62f / 2835f)).fma(x2, x2.broadcast(-17f / 315f))
                        .fma(x2, x2.broadcast(2f / 15f)).fma(x2, x2.broadcast(-1f / 3f));
                FloatVector near = x2.mul(odd).fma(x, x);
                FloatVector far = x.broadcast(1f).sub(x.broadcast(2f).div(e.add(1f)));
                far = far.blend(far.neg(), x.lt(0f));
                y = far.blend(near, magnitude.lt(TANH_SERIES_LIMIT));
            } else {
                y = x.broadcast(1f).blend(e, x.lt(0f)).div(e.add(1f));
            }
            y.intoArray(data, i, m);
        }
    }
}
