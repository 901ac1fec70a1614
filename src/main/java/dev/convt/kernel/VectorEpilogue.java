package dev.convt.kernel;

import dev.convt.Epilogue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * An {@link Epilogue} in vector form, applied by the store pass. Comparisons are written so that
 * NaN stays NaN, as in the scalar definitions and in PyTorch.
 */
final class VectorEpilogue {

    private enum Kind { NONE, RELU, LEAKY_RELU, CLAMP, SIGMOID, TANH }

    private final Kind kind;
    private final float a;
    private final float b;

    private VectorEpilogue(Kind kind, float a, float b) {
        this.kind = kind;
        this.a = a;
        this.b = b;
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

    FloatVector apply(FloatVector v) {
        return switch (kind) {
            case NONE -> v;
            case RELU -> v.blend(0f, v.lt(0f));
            case LEAKY_RELU -> v.blend(v.mul(a), v.lt(0f));
            case CLAMP -> v.blend(a, v.lt(a)).blend(b, v.compare(VectorOperators.GT, b));
            case SIGMOID -> v.broadcast(1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
            case TANH -> v.lanewise(VectorOperators.TANH);
        };
    }
}
