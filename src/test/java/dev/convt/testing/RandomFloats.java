package dev.convt.testing;

import java.util.random.RandomGenerator;

/** Random operands for tests, from any generator ({@link java.util.Random}, {@link java.util.SplittableRandom}, {@link Source}). */
public final class RandomFloats {

    private RandomFloats() {}

    /**
     * @param r the generator
     * @param n how many
     * @return {@code n} floats uniform in [-1, 1)
     */
    public static float[] uniform(RandomGenerator r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /**
     * Integers in [-4, 4]: every product and sum of few of them is exact in float, so a result
     * made of them must be exact.
     *
     * @param r the generator
     * @param n how many
     * @return {@code n} small integers as floats
     */
    public static float[] smallIntegers(RandomGenerator r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(9) - 4;
        }
        return a;
    }

    /**
     * Magnitudes spread over 2^-20 .. 2^21 with random signs, so that a term summed in the wrong
     * place is never hidden by the others.
     *
     * @param r the generator
     * @param n how many
     * @return {@code n} floats
     */
    public static float[] wideRange(RandomGenerator r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextBoolean() ? 1 : -1) * Math.scalb(1 + r.nextDouble(), r.nextInt(41) - 20));
        }
        return a;
    }
}
