package dev.convt.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmark suite and writes JMH's JSON ({@value #RESULTS_JSON}) and a description of
 * the machine ({@value #MACHINE_PROPERTIES}) into the results directory, for {@link BenchReport}.
 *
 * <p>System properties: {@code suite} = {@code smoke} | {@code quick} (default) | {@code full};
 * {@code layers} = {@code all} (default) or layer ids separated by commas;
 * {@code reference.maxGflop} (default per suite size, blank for that default): layers with more
 * GFLOP per call leave out the scalar reference; {@code network} = {@code true} | {@code false}
 * (default per suite size, blank for that default): whether to time the whole DCGAN generator
 * ({@link NetworkBenchmark}); {@code bench.results} (default {@code bench/results}).
 */
public final class BenchSuite {

    static final String RESULTS_JSON = "jmh-result.json";
    static final String MACHINE_PROPERTIES = "machine.properties";


    private BenchSuite() {}

    /**
     * How long each benchmark runs.
     *
     * @param forks JVM forks per benchmark and parameter set
     * @param warmups warm-up iterations per fork
     * @param warmup the length of one warm-up iteration
     * @param measurements measured iterations per fork
     * @param iteration the length of one measured iteration (a call longer than that still runs whole)
     */
    record Iterations(int forks, int warmups, TimeValue warmup, int measurements, TimeValue iteration) {

        ChainedOptionsBuilder applyTo(ChainedOptionsBuilder options) {
            return options.forks(forks).warmupIterations(warmups).warmupTime(warmup)
                    .measurementIterations(measurements).measurementTime(iteration);
        }
    }

    /**
     * Suite sizes. convt gets seconds of warm-up even in a smoke run: its kernels run in the
     * interpreter, a thousand times slower, until C2 has compiled them, which takes 2 to 6 s of
     * calls on this 2-core machine; a warm-up shorter than that times the interpreter. The peers
     * (ONNX Runtime, oneDNN) are native code and need only a few calls, but are measured for as
     * long as convt, so that neither side's figure rests on fewer calls. Quick runs take five short measured iterations
     * rather than three long ones: JMH gives no interval below three, and with few iterations
     * Student's t makes its 99.9% interval very wide. The FMA peak, cheap and the denominator of
     * every "% of peak", gets more iterations.
     *
     * <p>The scalar reference is only the baseline for speed-ups and runs at 0.04 to 0.4 GFLOP/s
     * (it also sums magnitudes, in double), so one call on the largest layers takes 3 to 11 s. It
     * gets fewer iterations, and quick runs leave it out above 0.2 GFLOP per call (about a second
     * or two); full runs time it up to 2 GFLOP per call, every layer but the two largest 3-D ones.
     * Every implementation's output is still checked against it on every layer: each fork reads
     * the reference output the suite run's first fork computed ({@link ExpectedOutput#forLayer}).
     *
     * <p>The whole network runs in quick and full suites, with the same iterations on both sides;
     * it gets twice convt's warm-up or more, because C2 must compile the kernels of five layer
     * shapes, in calls of tens of milliseconds. Smoke runs leave it out by default, as its reference
     * chain and two more forks per thread count would make a smoke run half as long again.
     */
    enum Size {
        SMOKE(new Iterations(1, 3, TimeValue.seconds(1), 1, TimeValue.milliseconds(100)),
                new Iterations(1, 3, TimeValue.milliseconds(100), 1, TimeValue.milliseconds(100)),
                new Iterations(1, 5, TimeValue.milliseconds(100), 2, TimeValue.milliseconds(100)),
                new Iterations(1, 1, TimeValue.milliseconds(100), 1, TimeValue.milliseconds(100)), 0.2,
                new Iterations(1, 3, TimeValue.seconds(1), 1, TimeValue.milliseconds(100)), false),
        QUICK(new Iterations(1, 5, TimeValue.seconds(1), 5, TimeValue.milliseconds(200)),
                new Iterations(1, 3, TimeValue.milliseconds(200), 5, TimeValue.milliseconds(200)),
                new Iterations(1, 5, TimeValue.milliseconds(200), 5, TimeValue.milliseconds(200)),
                new Iterations(1, 1, TimeValue.milliseconds(100), 3, TimeValue.milliseconds(100)), 0.2,
                new Iterations(1, 10, TimeValue.seconds(1), 5, TimeValue.milliseconds(400)), true),
        FULL(new Iterations(2, 8, TimeValue.seconds(1), 5, TimeValue.seconds(1)),
                new Iterations(2, 5, TimeValue.seconds(1), 5, TimeValue.seconds(1)),
                new Iterations(2, 5, TimeValue.seconds(1), 5, TimeValue.seconds(1)),
                new Iterations(1, 1, TimeValue.seconds(1), 3, TimeValue.seconds(1)), 2,
                new Iterations(2, 15, TimeValue.seconds(1), 5, TimeValue.seconds(1)), true);

        final Iterations convt;
        final Iterations peer;
        final Iterations peak;
        final Iterations reference;
        final double referenceMaxGflop;
        final Iterations network;
        final boolean networkByDefault;

        Size(Iterations convt, Iterations peer, Iterations peak, Iterations reference, double referenceMaxGflop,
                Iterations network, boolean networkByDefault) {
            this.convt = convt;
            this.peer = peer;
            this.peak = peak;
            this.reference = reference;
            this.referenceMaxGflop = referenceMaxGflop;
            this.network = network;
            this.networkByDefault = networkByDefault;
        }
    }

    public static void main(String[] args) throws RunnerException, IOException {
        Size size = Size.valueOf(System.getProperty("suite", "quick").toUpperCase(Locale.ROOT));
        List<SuiteLayer> layers = selectedLayers(System.getProperty("layers", "all"));
        String referenceCap = System.getProperty("reference.maxGflop", "");
        double referenceMaxGflop = referenceCap.isBlank() ? size.referenceMaxGflop : Double.parseDouble(referenceCap);
        String networkChoice = System.getProperty("network", "");
        if (!networkChoice.isBlank() && !networkChoice.equals("true") && !networkChoice.equals("false")) {
            throw new IllegalArgumentException("network must be true, false or blank, got '" + networkChoice + "'");
        }
        boolean network = networkChoice.isBlank() ? size.networkByDefault : Boolean.parseBoolean(networkChoice);
        Path results = Path.of(System.getProperty("bench.results", "bench/results"));
        int cores = Runtime.getRuntime().availableProcessors();
        String[] threadCounts = cores > 1 ? new String[] {"1", Integer.toString(cores)} : new String[] {"1"};

        List<SuiteLayer> referenceLayers = layers.stream().filter(l -> l.flops() <= referenceMaxGflop * 1e9).toList();
        List<SuiteLayer> referenceSkipped = layers.stream().filter(l -> !referenceLayers.contains(l)).toList();

        // Taken before the run: the date it started and how busy the machine already was.
        Properties machine = describeMachine(cores);
        long started = System.nanoTime();
        List<RunResult> all = new ArrayList<>();
        Properties peers;
        Path scratch = Files.createTempDirectory("convt-bench");
        Path peerInfo = scratch.resolve("peers");
        Files.createDirectory(peerInfo);
        try {
            for (String threads : threadCounts) {
                all.addAll(run(options(size.peak, FmaPeakBenchmark.class, scratch)
                        .threads(Integer.parseInt(threads))));
                all.addAll(run(options(size.peak, StreamBenchmark.class, scratch)
                        .threads(Integer.parseInt(threads))));
            }
            // No -prof gc: it counts every thread's allocation; each benchmark measures its calling
            // thread's instead (CallAllocation).
            all.addAll(run(options(size.convt, ConvtBenchmark.class, scratch).param("layer", ids(layers))
                    .param("threads", threadCounts)));
            all.addAll(run(options(size.peer, OnnxRuntimeBenchmark.class, scratch).param("layer", ids(layers))
                    .param("threads", threadCounts)));
            all.addAll(run(options(size.peer, OneDnnBenchmark.class, scratch).param("layer", ids(layers))
                    .param("threads", threadCounts).param("layout", "nchw", "own")));
            if (network) {
                all.addAll(run(options(size.network, NetworkBenchmark.class, scratch).param("threads", threadCounts)));
            }
            if (!referenceLayers.isEmpty()) {
                all.addAll(run(options(size.reference, ReferenceBenchmark.class, scratch)
                        .param("layer", ids(referenceLayers))));
            }
            peers = PeerInfo.merge(peerInfo);
            // The forks' species, not this JVM's: their flags may widen it.
            for (String key : List.of("vector.species", "vector.bits", "vector.lanes")) {
                Object forks = peers.remove(key);
                if (forks != null) {
                    machine.setProperty(key, forks.toString());
                }
            }
        } finally {
            deleteTree(scratch);
        }

        Files.createDirectories(results);
        try (PrintStream json = new PrintStream(Files.newOutputStream(results.resolve(RESULTS_JSON)), true,
                StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(all);
        }
        machine.setProperty("load.end", loadAverage());
        machine.setProperty("duration.seconds", Long.toString((System.nanoTime() - started) / 1_000_000_000L));
        machine.setProperty("suite", size.name().toLowerCase(Locale.ROOT));
        machine.setProperty("reference.maxGflop", Double.toString(referenceMaxGflop));
        machine.setProperty("reference.skipped", String.join(",", ids(referenceSkipped)));
        try (var out = Files.newBufferedWriter(results.resolve(MACHINE_PROPERTIES), StandardCharsets.UTF_8)) {
            machine.store(out, "written by " + BenchSuite.class.getName());
        }
        try (var out = Files.newBufferedWriter(results.resolve(PeerInfo.FILE), StandardCharsets.UTF_8)) {
            peers.store(out, "what the peers reported in the benchmark forks, written by " + BenchSuite.class.getName());
        }
        System.out.println("Wrote " + results.resolve(RESULTS_JSON) + ", " + results.resolve(MACHINE_PROPERTIES) + " and "
                + results.resolve(PeerInfo.FILE));
    }

    /**
     * Options for one benchmark class; the caller adds parameters. Every class runs in its own
     * {@link Runner} because the reference takes other iterations and other layers.
     */
    private static ChainedOptionsBuilder options(Iterations iterations, Class<?> benchmark, Path scratch) {
        return iterations.applyTo(new OptionsBuilder())
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
                // Replaces the launching JVM's flags, which forks would otherwise inherit. A fixed
                // heap, so heap sizing does not differ between benchmarks.
                .jvmArgs(Stream.concat(Stream.of("-Xms1g", "-Xmx1g", "-D" + ExpectedOutput.CACHE_PROPERTY + "=" + scratch,
                        "-D" + PeerInfo.DIRECTORY_PROPERTY + "=" + scratch.resolve("peers")),
                        // jvmArgs, not jvmArgsAppend: that would replace the @Fork annotations' flags.
                        Stream.of(vectorWidthFlags())).toArray(String[]::new))
                .shouldFailOnError(true);
    }

    /**
     * {@code -XX:UseAVX=3} where the CPU has AVX-512: HotSpot keeps it off by default on Intel
     * Skylake server CPUs, which would halve the Vector API's width against native peers that use
     * it; elsewhere the flag is the default. Other CPUs and architectures get no flag.
     */
    static String[] vectorWidthFlags() {
        try {
            Path cpuinfo = Path.of("/proc/cpuinfo");
            boolean avx512 = Files.isReadable(cpuinfo)
                    && Pattern.compile("\\bavx512f\\b").matcher(Files.readString(cpuinfo)).find();
            return avx512 ? new String[] {"-XX:UseAVX=3"} : new String[0];
        } catch (IOException e) {
            return new String[0];
        }
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static List<SuiteLayer> selectedLayers(String selection) {
        if (selection.isBlank() || selection.equals("all")) {
            return List.of(SuiteLayer.values());
        }
        return Arrays.stream(selection.split(",")).map(String::strip).map(SuiteLayer::byId).distinct().toList();
    }

    private static String[] ids(List<SuiteLayer> layers) {
        return layers.stream().map(SuiteLayer::id).toArray(String[]::new);
    }

    private static Properties describeMachine(int cores) throws IOException {
        Properties p = new Properties();
        VectorSpecies<Float> species = FmaPeakBenchmark.SPECIES;
        p.setProperty("cpu", cpuModel());
        p.setProperty("cores", Integer.toString(cores));
        p.setProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        p.setProperty("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")");
        p.setProperty("vector.species", species.toString());
        p.setProperty("vector.bits", Integer.toString(species.vectorBitSize()));
        p.setProperty("vector.lanes", Integer.toString(species.length()));
        // exec:exec runs the suite in the project directory.
        Provenance.describe(p, Path.of("").toAbsolutePath());
        p.setProperty("load.start", loadAverage());
        p.setProperty("date", ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        return p;
    }

    /** @return the 1, 5 and 15 minute load averages: on a shared machine, what else was running */
    private static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        if (!Files.isReadable(loadavg)) {
            return "unknown";
        }
        String[] fields = Files.readString(loadavg).strip().split("\\s+");
        return String.join(" ", Arrays.asList(fields).subList(0, 3));
    }

    private static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return System.getProperty("os.arch");
        }
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(System.getProperty("os.arch"));
        }
    }
}
