package dev.convt.kernel;

import dev.convt.Epilogue;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * <p>The plans apply it to arrays and segments ({@link #applyTo}), never vector by vector from
 * their own loops: inlined into a store pass, sigmoid and tanh meet C2's node-count cutoff, and a
 * vector passed to a call that is not inlined is allocated (12 bytes per output element with tanh).
 * The loop is called through a method handle held in an instance field, which C2 cannot inline:
 * it is then a small compilation unit of its own, into which {@link #apply} inlines whole.
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
     * {@link #expDown}'s lowest argument: {@code e^-110} is below half the smallest subnormal, so
     * the result rounds to 0 from there down, as the definition's does.
     */
    private static final float EXP_DOWN_MIN = -110f;
    /** {@link #expDown} scales by {@code 2^(k + 64)} then by {@code 2^-64}: both factors stay normal floats. */
    private static final int SCALE_SPLIT = 64;
    private static final float TWO_TO_MINUS_SPLIT = 0x1p-64f;
    /** Below this magnitude tanh uses its series: the exp formula would cancel. */
    private static final float TANH_SERIES_LIMIT = 0.55f;

    private final Kind kind;
    private final float a;
    private final float b;
    /** {@link #arrayLoop} bound to this epilogue: a compilation boundary (see above). */
    private final MethodHandle arrayLoop;

    private VectorEpilogue(Kind kind, float a, float b) {
        this.kind = kind;
        this.a = a;
        this.b = b;
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            this.arrayLoop = lookup.findVirtual(VectorEpilogue.class, "arrayLoop",
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
     * Applies the epilogue in place to the {@code count} floats of {@code seg} from
     * {@code byteOffset} on, just written by the caller: copied to {@code buffer} (of at least
     * {@code count} floats), applied there and copied back, since masked vector access to a
     * segment's last partial vector is not intrinsic. Nothing to do, and nothing copied, without
     * an epilogue.
     */
    void applyTo(MemorySegment seg, long byteOffset, int count, float[] buffer) {
        if (kind == Kind.NONE) {
            return;
        }
        MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED, byteOffset, buffer, 0, count);
        applyTo(buffer, 0, count);
        MemorySegment.copy(buffer, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, byteOffset, count);
    }

    /** One call site of {@link #apply} per loop: two would pass C2's node-count cutoff with tanh inlined twice. */
    private void arrayLoop(float[] a, int from, int to) {
        for (int x = from; x < to; x += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(x, to);
            apply(FloatVector.fromArray(SPECIES, a, x, m)).intoArray(a, x, m);
        }
    }

    FloatVector apply(FloatVector v) {
        return switch (kind) {
            case NONE -> v;
            case RELU -> v.blend(0f, v.lt(0f));
            case LEAKY_RELU -> v.blend(v.mul(a), v.lt(0f));
            case CLAMP -> v.blend(a, v.lt(a)).blend(b, v.compare(VectorOperators.GT, b));
            case SIGMOID -> sigmoid(v);
            case TANH -> tanh(v);
        };
    }

    /** {@code e^x}: {@code 2^k * e^r} with {@code k = round(x / ln 2)}, {@code |r| <= ln2/2}, e^r by its series to r^7. */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector k = clamped.mul(LOG2_E).add(ROUND).sub(ROUND);
        return expSeries(clamped, k).mul(powerOfTwo(k, 0));
    }

    /**
     * {@code e^x} for {@code x <= 0}, down to the subnormal results and 0 (and NaN for NaN). The
     * factor {@code 2^k} can be below the smallest normal float, so it is applied in two exact
     * power-of-two steps, the second of which rounds once into the subnormal range.
     */
    static FloatVector expDown(FloatVector x) {
        FloatVector clamped = x.max(EXP_DOWN_MIN);
        FloatVector k = clamped.mul(LOG2_E).add(ROUND).sub(ROUND);
        return expSeries(clamped, k).mul(powerOfTwo(k, SCALE_SPLIT)).mul(TWO_TO_MINUS_SPLIT);
    }

    /** {@code e^r} for {@code r = x - k ln 2}, by its series to r^7. */
    private static FloatVector expSeries(FloatVector x, FloatVector k) {
        FloatVector r = x.sub(k.mul(LN2_HIGH)).sub(k.mul(LN2_LOW));
        return r.broadcast(1f / 5040).fma(r, r.broadcast(1f / 720)).fma(r, r.broadcast(1f / 120))
                .fma(r, r.broadcast(1f / 24)).fma(r, r.broadcast(1f / 6)).fma(r, r.broadcast(0.5f))
                .fma(r, r.broadcast(1f)).fma(r, r.broadcast(1f));
    }

    /** {@return {@code 2^(k + bias)} for integral {@code k}, with {@code k + bias} a normal float's exponent} */
    private static FloatVector powerOfTwo(FloatVector k, int bias) {
        IntVector exponent = (IntVector) k.convert(VectorOperators.F2I, 0);
        return exponent.add(127 + bias).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /**
     * The logistic function as {@code 1 / (1 + t)} for {@code x >= 0} and {@code t / (1 + t)} for
     * {@code x < 0}, with {@code t = e^-|x|}: the negative side reaches the subnormal results and 0
     * (at -inf) that the definition gives, where {@code 1 / (1 + e^-x)} with a clamped exp stopped at
     * 6.05e-39.
     */
    static FloatVector sigmoid(FloatVector x) {
        FloatVector t = expDown(x.abs().neg());
        return x.broadcast(1f).blend(t, x.lt(0f)).div(t.add(1f));
    }

    /** tanh: its odd series to x^17 near 0, {@code sign(x) * (1 - 2/(e^2|x| + 1))} elsewhere. */
    static FloatVector tanh(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector series = x2.broadcast(6404582f / 10854718875f).fma(x2, x2.broadcast(-929569f / 638512875f))
                .fma(x2, x2.broadcast(21844f / 6081075f)).fma(x2, x2.broadcast(-1382f / 155925f))
                .fma(x2, x2.broadcast(62f / 2835f)).fma(x2, x2.broadcast(-17f / 315f))
                .fma(x2, x2.broadcast(2f / 15f)).fma(x2, x2.broadcast(-1f / 3f));
        FloatVector near = x2.mul(series).fma(x, x);
        FloatVector magnitude = x.abs();
        FloatVector far = x.broadcast(1f).sub(x.broadcast(2f).div(exp(magnitude.add(magnitude)).add(1f)));
        far = far.blend(far.neg(), x.lt(0f));
        return far.blend(near, magnitude.lt(TANH_SERIES_LIMIT));
    }
}
