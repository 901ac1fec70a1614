package dev.convt.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * This machine's attainable float32 FMA rate through the Vector API: the yardstick for the
 * report's "% of peak". {@link BenchSuite} runs it with one JMH thread and with one per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {ForkFlags.VECTOR_API, ForkFlags.NATIVE_ACCESS})
public class FmaPeakBenchmark {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /**
     * Independent chains per step: enough to cover FMA latency times the FMA ports (4 x 2 on
     * current x86 cores) with room to spare, few enough to stay in 16 vector registers.
     */
    static final int ACCUMULATORS = 12;
    /** Steps per call: long enough that call overhead is noise, short enough for many calls per iteration. */
    static final int STEPS = 1024;

    /** Non-final, so the JIT cannot fold the chains into constants. */
    public float start = 0.5f;
    /** Below 1, so every chain converges to {@code addend / (1 - multiplier)} without overflow or denormals. */
    public float multiplier = 0.999f;
    public float addend = 0.001f;

    /**
     * Records the species the forks run with, which JVM flags of the forks alone decide (see
     * {@link BenchSuite#vectorWidthFlags()}), for the report and for the FLOPs of a call.
     */
    @Setup(Level.Trial)
    public void recordSpecies() {
        PeerInfo.record("vector.species", SPECIES.toString());
        PeerInfo.record("vector.bits", Integer.toString(SPECIES.vectorBitSize()));
        PeerInfo.record("vector.lanes", Integer.toString(SPECIES.length()));
    }

    /**
     * @param lanes floats per vector of the species the benchmark ran with
     * @return the FLOPs of one {@link #fmaChains()} call: two per lane per FMA
     */
    public static double flopsPerCall(int lanes) {
        return 2.0 * lanes * ACCUMULATORS * STEPS;
    }

    /**
     * Twelve accumulators written out by hand: an array of vectors would not stay in registers.
     *
     * @return a value depending on every chain, so none is dead code
     */
    @Benchmark
    public float fmaChains() {
        FloatVector m = FloatVector.broadcast(SPECIES, multiplier);
        FloatVector c = FloatVector.broadcast(SPECIES, addend);
        FloatVector a0 = FloatVector.broadcast(SPECIES, start);
        FloatVector a1 = a0.add(c);
        FloatVector a2 = a1.add(c);
        FloatVector a3 = a2.add(c);
        FloatVector a4 = a3.add(c);
        FloatVector a5 = a4.add(c);
        FloatVector a6 = a5.add(c);
        FloatVector a7 = a6.add(c);
        FloatVector a8 = a7.add(c);
        FloatVector a9 = a8.add(c);
        FloatVector a10 = a9.add(c);
        FloatVector a11 = a10.add(c);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
