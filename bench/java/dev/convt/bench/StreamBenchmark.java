package dev.convt.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * This machine's memory bandwidth as a Java loop sees it: the STREAM triad
 * {@code a[i] = b[i] + s * c[i]} through the Vector API on arrays far larger than the caches. It
 * is the report's second roof beside the FMA peak; {@link BenchSuite} runs it with one JMH thread
 * and with one per core, each thread on its own arrays.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class StreamBenchmark {

    private static final VectorSpecies<Float> SPECIES = FmaPeakBenchmark.SPECIES;
    /** 8M floats, 32 MiB per array: three of them are several times any L3 in sight, and two threads fit a 1 GiB heap. */
    static final int LENGTH = 8 << 20;

    private final float[] a = new float[LENGTH];
    private final float[] b = new float[LENGTH];
    private final float[] c = new float[LENGTH];
    /** Non-final, so the JIT cannot fold it. */
    public float scalar = 3f;

    /**
     * @return bytes one {@link #triad()} call moves: two arrays read, one written (the cache-line
     *     reads a write costs are not counted, as STREAM does not count them)
     */
    static double bytesPerCall() {
        return 3.0 * Float.BYTES * LENGTH;
    }

    /** @return the written array, so the loop is not dead code */
    @Benchmark
    public float[] triad() {
        FloatVector s = FloatVector.broadcast(SPECIES, scalar);
        for (int i = 0; i < LENGTH; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, c, i).fma(s, FloatVector.fromArray(SPECIES, b, i)).intoArray(a, i);
        }
        return a;
    }
}
