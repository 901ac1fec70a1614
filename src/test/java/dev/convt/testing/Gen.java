package dev.convt.testing;

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
}
