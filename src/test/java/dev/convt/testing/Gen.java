package dev.convt.testing;

import java.util.function.Function;

/**
 * Draws a value from a {@link Source}. Generators are plain functions of the source, so they
 * compose as lambdas; {@link PropertyCheck} shrinks what they draw through the source's record.
 *
 * @param <T> the drawn type
 */
@FunctionalInterface
public interface Gen<T> {

    /**
     * @param s where the random choices come from
     * @return the drawn value
     */
    T draw(Source s);

    /**
     * @param f applied to each drawn value
     * @return a generator of {@code f}'s results
     */
    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return s -> f.apply(draw(s));
    }
}
