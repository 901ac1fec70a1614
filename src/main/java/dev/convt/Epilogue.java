package dev.convt;

/**
 * An element-wise function applied to each output element after the bias, fused into the
 * kernel's store so the output is written once.
 *
 * <p>{@link #apply(float)} is the scalar definition the fused vector code is tested against.
 */
public sealed interface Epilogue {

    /** No activation. */
    Epilogue NONE = new Identity();

    /**
     * The scalar definition.
     *
     * @param x a pre-activation value (after the bias)
     * @return the activated value
     */
    float apply(float x);

    /** {@return {@code max(x, 0)}; NaN stays NaN} */
    static Epilogue relu() {
        return new Relu();
    }

    /**
     * Leaky ReLU.
     *
     * @param slope multiplier for negative inputs, finite
     * @return {@code x >= 0 ? x : slope * x}
     */
    static Epilogue leakyRelu(float slope) {
        return new LeakyRelu(slope);
    }

    /**
     * Clamp to {@code [min, max]}.
     *
     * @param min lower bound
     * @param max upper bound, at least {@code min}
     * @return {@code min(max(x, min), max)}; NaN stays NaN
     */
    static Epilogue clamp(float min, float max) {
        return new Clamp(min, max);
    }

    /** {@return {@code 1 / (1 + exp(-x))}} */
    static Epilogue sigmoid() {
        return new Sigmoid();
    }

    /** {@return {@code tanh(x)}} */
    static Epilogue tanh() {
        return new Tanh();
    }

    /** The identity. */
    record Identity() implements Epilogue {
        @Override
        public float apply(float x) {
            return x;
        }
    }

    /** {@code max(x, 0)}, propagating NaN as PyTorch does. */
    record Relu() implements Epilogue {
        @Override
        public float apply(float x) {
            return x < 0f ? 0f : x;
        }
    }

    /**
     * {@code x >= 0 ? x : slope * x}.
     *
     * @param slope multiplier for negative inputs
     */
    record LeakyRelu(float slope) implements Epilogue {
        /**
         * Checks the slope.
         *
         * @throws IllegalArgumentException if {@code slope} is not finite
         */
        public LeakyRelu {
            if (!Float.isFinite(slope)) {
                throw new IllegalArgumentException("leakyRelu slope " + slope + " must be finite");
            }
        }

        @Override
        public float apply(float x) {
            return x < 0f ? slope * x : x;
        }
    }

    /**
     * {@code min(max(x, min), max)}, propagating NaN as PyTorch's {@code clamp} does.
     *
     * @param min lower bound
     * @param max upper bound
     */
    record Clamp(float min, float max) implements Epilogue {
        /**
         * Checks the bounds.
         *
         * @throws IllegalArgumentException if a bound is NaN or {@code min > max}
         */
        public Clamp {
            if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
                throw new IllegalArgumentException("clamp bounds min " + min + ", max " + max
                        + " must be numbers with min <= max");
            }
        }

        @Override
        public float apply(float x) {
            return x < min ? min : (x > max ? max : x);
        }
    }

    /** The logistic function. */
    record Sigmoid() implements Epilogue {
        @Override
        public float apply(float x) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
    }

    /** The hyperbolic tangent. */
    record Tanh() implements Epilogue {
        @Override
        public float apply(float x) {
            return (float) Math.tanh(x);
        }
    }
}
