package dev.convt.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.openjdk.jmh.util.ListStatistics;

/**
 * One suite run as the report needs it: JMH's JSON and {@link BenchSuite}'s machine description,
 * turned into timings per layer, implementation and thread count, and the measured FMA peak.
 */
final class BenchResults {

    /** What a benchmark measures: its class, and for oneDNN the layout parameter too. */
    enum Implementation {
        REFERENCE("scalar reference", ReferenceBenchmark.class, null, false),
        CONVT("convt", ConvtBenchmark.class, null, false),
        ONNX_RUNTIME("ONNX Runtime", OnnxRuntimeBenchmark.class, null, true),
        ONEDNN_NCHW(OneDnnDeconvolution.Layout.NCHW.label, OneDnnBenchmark.class, "nchw", true),
        /** Not a peer for the answer: a convt user holds NCHW tensors; it shows what a layout change buys. */
        ONEDNN_OWN(OneDnnDeconvolution.Layout.OWN.label, OneDnnBenchmark.class, "own", false);

        final String label;
        /** Whether it runs on the tensors a convt user holds, so that convt is judged against it. */
        final boolean nchwPeer;
        private final String benchmarkPrefix;
        private final String layout;

        Implementation(String label, Class<?> benchmark, String layout, boolean nchwPeer) {
            this.label = label;
            this.nchwPeer = nchwPeer;
            this.benchmarkPrefix = benchmark.getName() + ".";
            this.layout = layout;
        }

        static Optional<Implementation> of(String benchmark, Map<String, Object> params) {
            return Arrays.stream(values()).filter(i -> benchmark.startsWith(i.benchmarkPrefix)
                    && (i.layout == null || i.layout.equals(params.get("layout")))).findFirst();
        }
    }

    /**
     * A JMH score converted to ms per call with its confidence interval (NaN bounds below three
     * measured iterations, where JMH gives none).
     *
     * <p>In sample mode JMH's own interval comes from all the sampled calls taken as independent,
     * which makes it far narrower than the run-to-run spread; the interval here is instead the one
     * JMH's average-time mode would give, Student's t over the means of the measured iterations,
     * computed from JMH's raw histograms with JMH's own statistics.
     *
     * @param ms the mean
     * @param error half-width of the 99.9% confidence interval
     * @param low lower bound of the interval (may be negative: JMH does not clip it)
     * @param high upper bound of the interval
     * @param fastest the fastest measured iteration (average time) or call (sample mode)
     * @param median the median call (sample mode; NaN in average time, which times no single call)
     * @param p99 the 99th percentile call (sample mode; else NaN)
     */
    record Timing(double ms, double error, double low, double high, double fastest, double median, double p99) {

        /** @return the rate, in GFLOP/s, of {@code flops} done in {@link #ms()} */
        double gflops(double flops) {
            return flops / (ms * 1e6);
        }

        /**
         * @return the rates at the interval's ends, slowest first; the fast end is infinite when
         *     the interval reaches down to zero time
         */
        double[] gflopsInterval(double flops) {
            return new double[] {flops / (high * 1e6), low > 0 ? flops / (low * 1e6) : Double.POSITIVE_INFINITY};
        }
    }

    /**
     * One benchmark result on one layer.
     *
     * @param layer the layer
     * @param implementation what ran
     * @param threads threads used by one call
     * @param timing the time per call
     * @param allocBytesPerCall heap bytes the calling thread allocated per call ({@link CallAllocation});
     *     NaN if not measured
     */
    record Row(SuiteLayer layer, Implementation implementation, int threads, Timing timing, double allocBytesPerCall) {

        /** @return nominal GFLOP/s ({@link SuiteLayer#flops()}) */
        double gflops() {
            return timing.gflops(layer.flops());
        }

        /** @return useful GFLOP/s ({@link SuiteLayer#usefulFlops()}): only taps that land in the output */
        double usefulGflops() {
            return timing.gflops(layer.usefulFlops());
        }

        double[] gflopsInterval() {
            return timing.gflopsInterval(layer.flops());
        }

        Series series() {
            return new Series(implementation, threads);
        }
    }

    /**
     * What the chart draws in one colour and the summary puts in one column.
     *
     * @param implementation what ran
     * @param threads threads per call
     */
    record Series(Implementation implementation, int threads) {
        /** @return e.g. "convt, 2 threads" */
        String label() {
            return implementation.label + ", " + threads + (threads == 1 ? " thread" : " threads");
        }
    }

    /**
     * The FMA-peak benchmark at one thread count. Its peak is the fastest measured iteration, not
     * the mean: other processes on the machine can only slow a loop that never leaves registers,
     * so the fastest iteration is the closest to what the hardware can do.
     *
     * @param threads JMH threads, each running its own FMA chains
     * @param timing time per call of one thread
     * @param flopsPerCall FLOPs one thread does per call
     */
    record Peak(int threads, Timing timing, double flopsPerCall) {

        /** @return the machine's peak rate with all {@code threads} together */
        double gflops() {
            return threads * flopsPerCall / (timing.fastest() * 1e6);
        }

        /** @return the rate over all measured iterations, with all {@code threads} together */
        double meanGflops() {
            return threads * timing.gflops(flopsPerCall);
        }

        double[] meanGflopsInterval() {
            double[] one = timing.gflopsInterval(flopsPerCall);
            return new double[] {threads * one[0], threads * one[1]};
        }
    }

    /**
     * How one implementation was run, from the JSON.
     *
     * @param forks forks per parameter set
     * @param warmups warm-up iterations per fork
     * @param warmupTime length of one warm-up iteration
     * @param measurements measured iterations per fork
     * @param measurementTime length of one measured iteration
     */
    record Settings(long forks, long warmups, String warmupTime, long measurements, String measurementTime) {
        @Override
        public String toString() {
            return forks + (forks == 1 ? " fork" : " forks") + " x (" + warmups + " warm-up x " + warmupTime + " + "
                    + measurements + " measured x " + measurementTime + ")";
        }
    }

    /**
     * The whole DCGAN generator per call (one image) with one implementation.
     *
     * @param implementation convt or ONNX Runtime
     * @param threads threads per call
     * @param timing the time per image
     * @param allocBytesPerCall heap bytes the calling thread allocated per call ({@link CallAllocation});
     *     NaN if not measured
     */
    record NetworkRow(Implementation implementation, int threads, Timing timing, double allocBytesPerCall) {

        static Implementation implementation(String parameter) {
            return switch (parameter) {
                case "convt" -> Implementation.CONVT;
                case "onnx" -> Implementation.ONNX_RUNTIME;
                default -> throw new IllegalArgumentException("unknown network implementation '" + parameter + "'");
            };
        }
    }

    /** @return ONNX Runtime's time per image over convt's at {@code threads}, then its interval; empty without both */
    Optional<double[]> networkRatio(int threads) {
        Optional<NetworkRow> convt = network.stream()
                .filter(r -> r.threads() == threads && r.implementation() == Implementation.CONVT).findFirst();
        Optional<NetworkRow> onnx = network.stream()
                .filter(r -> r.threads() == threads && r.implementation() == Implementation.ONNX_RUNTIME).findFirst();
        return convt.isPresent() && onnx.isPresent()
                ? Optional.of(Ratio.of(convt.get().timing(), onnx.get().timing())) : Optional.empty();
    }

    final Properties machine;
    /** What the peers reported ({@link PeerInfo}); empty for results from before it was recorded. */
    final Properties peers;
    final List<Row> rows;
    final Map<Integer, Peak> peaks;
    /**
     * The stream triad per thread count, as a {@link Peak} whose "FLOPs" are bytes, so its
     * {@link Peak#gflops()} is GB/s; empty for results from before it was measured.
     */
    final Map<Integer, Peak> bandwidths;
    /** The whole DCGAN generator ({@link NetworkBenchmark}); empty when the run left it out. */
    final List<NetworkRow> network;
    final Map<String, Settings> settingsByBenchmark;
    final List<String> jvmArgs;
    final String jmhVersion;

    private BenchResults(Properties machine, Properties peers, List<Row> rows, Map<Integer, Peak> peaks,
            Map<Integer, Peak> bandwidths, List<NetworkRow> network, Map<String, Settings> settingsByBenchmark,
            List<String> jvmArgs, String jmhVersion) {
        this.machine = machine;
        this.peers = peers;
        this.rows = rows;
        this.peaks = peaks;
        this.bandwidths = bandwidths;
        this.network = network;
        this.settingsByBenchmark = settingsByBenchmark;
        this.jvmArgs = jvmArgs;
        this.jmhVersion = jmhVersion;
    }

    /**
     * @param dir where {@link BenchSuite} wrote its files
     * @return the results
     * @throws IOException if a file is missing or unreadable
     * @throws IllegalArgumentException if the JSON holds no benchmark result
     */
    @SuppressWarnings("unchecked")
    static BenchResults read(Path dir) throws IOException {
        Properties machine = new Properties();
        try (Reader in = Files.newBufferedReader(dir.resolve(BenchSuite.MACHINE_PROPERTIES), StandardCharsets.UTF_8)) {
            machine.load(in);
        }
        int lanes = Integer.parseInt(machine.getProperty("vector.lanes"));
        Properties peers = PeerInfo.read(dir.resolve(PeerInfo.FILE));
        List<Object> entries = (List<Object>) Json.parse(
                Files.readString(dir.resolve(BenchSuite.RESULTS_JSON), StandardCharsets.UTF_8));
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve(BenchSuite.RESULTS_JSON) + " holds no results");
        }
        List<Row> rows = new ArrayList<>();
        Map<Integer, Peak> peaks = new TreeMap<>();
        Map<Integer, Peak> bandwidths = new TreeMap<>();
        List<NetworkRow> network = new ArrayList<>();
        Map<String, Settings> settings = new TreeMap<>();
        for (Object e : entries) {
            Map<String, Object> entry = (Map<String, Object>) e;
            String benchmark = (String) entry.get("benchmark");
            Map<String, Object> primary = (Map<String, Object>) entry.get("primaryMetric");
            Timing timing = timing(primary);
            Map<String, Object> params = (Map<String, Object>) entry.getOrDefault("params", Map.of());
            settings.put(label(benchmark, params), new Settings((long) Json.number(entry.get("forks")),
                    (long) Json.number(entry.get("warmupIterations")), (String) entry.get("warmupTime"),
                    (long) Json.number(entry.get("measurementIterations")), (String) entry.get("measurementTime")));
            if (benchmark.startsWith(FmaPeakBenchmark.class.getName() + ".")) {
                int threads = (int) Json.number(entry.get("threads"));
                peaks.put(threads, new Peak(threads, timing, FmaPeakBenchmark.flopsPerCall(lanes)));
                continue;
            }
            if (benchmark.startsWith(StreamBenchmark.class.getName() + ".")) {
                int threads = (int) Json.number(entry.get("threads"));
                bandwidths.put(threads, new Peak(threads, timing, StreamBenchmark.bytesPerCall()));
                continue;
            }
            Object threadParam = params.get("threads");
            int threads = threadParam == null ? 1 : Integer.parseInt((String) threadParam);
            if (benchmark.startsWith(NetworkBenchmark.class.getName() + ".")) {
                Implementation implementation = NetworkRow.implementation((String) params.get("implementation"));
                network.add(new NetworkRow(implementation, threads, timing,
                        allocation(peers, implementation, "network", threads)));
                continue;
            }
            Implementation implementation = Implementation.of(benchmark, params)
                    .orElseThrow(() -> new IllegalArgumentException("unknown benchmark " + benchmark + " " + params));
            SuiteLayer layer = SuiteLayer.byId((String) params.get("layer"));
            rows.add(new Row(layer, implementation, threads, timing,
                    allocation(peers, implementation, layer.id(), threads)));
        }
        rows.sort(Comparator.comparing(Row::layer).thenComparing(Row::implementation).thenComparingInt(Row::threads));
        network.sort(Comparator.comparingInt(NetworkRow::threads).thenComparing(NetworkRow::implementation));
        Map<String, Object> first = (Map<String, Object>) entries.get(0);
        return new BenchResults(machine, peers, rows, peaks, bandwidths, network, settings,
                (List<String>) (List<?>) first.get("jvmArgs"), (String) first.get("jmhVersion"));
    }

    /** @return what {@link CallAllocation} recorded, or NaN (the scalar reference, or older results) */
    private static double allocation(Properties peers, Implementation implementation, String subject, int threads) {
        String bytes = peers.getProperty(CallAllocation.key(implementation, subject, threads));
        return bytes == null ? Double.NaN : Double.parseDouble(bytes);
    }

    private static String label(String benchmark, Map<String, Object> params) {
        if (benchmark.startsWith(FmaPeakBenchmark.class.getName() + ".")) {
            return "FMA peak";
        }
        if (benchmark.startsWith(StreamBenchmark.class.getName() + ".")) {
            return "memory bandwidth (stream triad)";
        }
        if (benchmark.startsWith(NetworkBenchmark.class.getName() + ".")) {
            return "DCGAN generator, " + NetworkRow.implementation((String) params.get("implementation")).label;
        }
        return Implementation.of(benchmark, params).map(i -> i.label).orElse(benchmark);
    }

    @SuppressWarnings("unchecked")
    private static Timing timing(Map<String, Object> metric) {
        String unit = (String) metric.get("scoreUnit");
        double toMs = switch (unit) {
            case "s/op" -> 1e3;
            case "ms/op" -> 1;
            case "us/op" -> 1e-3;
            case "ns/op" -> 1e-6;
            default -> throw new IllegalArgumentException("expected a time per op, got " + unit);
        };
        Map<String, Object> percentiles = (Map<String, Object>) metric.get("scorePercentiles");
        double ms = toMs * Json.number(metric.get("score"));
        double fastest = toMs * Json.number(percentiles.get("0.0"));
        List<Object> histograms = (List<Object>) metric.get("rawDataHistogram");
        if (histograms == null) {
            List<Object> interval = (List<Object>) metric.get("scoreConfidence");
            return new Timing(ms, toMs * Json.number(metric.get("scoreError")), toMs * Json.number(interval.get(0)),
                    toMs * Json.number(interval.get(1)), fastest, Double.NaN, Double.NaN);
        }
        ListStatistics iterationMeans = new ListStatistics();
        for (Object fork : histograms) {
            for (Object iteration : (List<Object>) fork) {
                double sum = 0;
                double calls = 0;
                for (Object bin : (List<Object>) iteration) {
                    List<Object> valueAndCount = (List<Object>) bin;
                    sum += Json.number(valueAndCount.get(0)) * Json.number(valueAndCount.get(1));
                    calls += Json.number(valueAndCount.get(1));
                }
                iterationMeans.addValue(toMs * sum / calls);
            }
        }
        double error = iterationMeans.getMeanErrorAt(0.999);
        return new Timing(ms, error, ms - error, ms + error, fastest, toMs * Json.number(percentiles.get("50.0")),
                toMs * Json.number(percentiles.get("99.0")));
    }

    /** @return the layers measured, in suite order */
    Set<SuiteLayer> layers() {
        Set<SuiteLayer> layers = new LinkedHashSet<>();
        rows.forEach(r -> layers.add(r.layer()));
        return layers;
    }

    /** @return the series (implementation and thread count) measured, in report order */
    List<Series> series() {
        return rows.stream().map(Row::series).distinct()
                .sorted(Comparator.comparing(Series::implementation).thenComparingInt(Series::threads)).toList();
    }

    Optional<Row> find(SuiteLayer layer, Series series) {
        return rows.stream().filter(r -> r.layer() == layer && r.series().equals(series)).findFirst();
    }

    /**
     * @return the row's useful FLOP rate as a share of the FMA peak measured at its thread count,
     *     in percent; NaN if none. Useful, since the taps a kernel skips on the cropped border
     *     cost it nothing and should not count as work done.
     */
    double percentOfPeak(Row row) {
        Peak peak = peaks.get(row.threads());
        return peak == null ? Double.NaN : 100 * row.usefulGflops() / peak.gflops();
    }

    /** @return how many times faster than the scalar reference; NaN for the reference or without one */
    double speedupOverReference(Row row) {
        if (row.implementation() == Implementation.REFERENCE) {
            return Double.NaN;
        }
        return find(row.layer(), new Series(Implementation.REFERENCE, 1)).map(ref -> ref.timing().ms() / row.timing().ms())
                .orElse(Double.NaN);
    }

    /**
     * How many times faster convt is than a peer: the peer's time over convt's, with an interval
     * from the two confidence intervals (the peer's slow end over convt's fast end and the reverse:
     * wide, since it assumes both are off the same way at once).
     *
     * @param value peer time / convt time; above 1, convt is faster
     * @param low the interval's low end, NaN without intervals
     * @param high the interval's high end, infinite if convt's interval reaches zero
     * @param peer the peer's row
     */
    record Ratio(double value, double low, double high, Row peer) {

        static Ratio of(Row convt, Row peer) {
            double[] r = of(convt.timing(), peer.timing());
            return new Ratio(r[0], r[1], r[2], peer);
        }

        /** @return the peer's time over convt's, then the interval's low and high ends */
        static double[] of(Timing c, Timing p) {
            // JMH does not clip an interval at zero time; a ratio of times cannot go below 0.
            return new double[] {p.ms() / c.ms(), Math.max(0, p.low()) / c.high(),
                c.low() > 0 ? p.high() / c.low() : Double.POSITIVE_INFINITY};
        }

        /** @return whether the whole interval lies above 1: convt faster beyond the measurement's spread */
        boolean clearlyAhead() {
            return low > 1;
        }

        /** @return whether the whole interval lies below 1 */
        boolean clearlyBehind() {
            return high < 1;
        }
    }

    /**
     * @return the fastest (lowest mean time) implementation on NCHW tensors other than convt, at
     *     this layer and thread count
     */
    Optional<Row> fastestPeer(SuiteLayer layer, int threads) {
        return rows.stream().filter(r -> r.layer() == layer && r.threads() == threads && r.implementation().nchwPeer)
                .min(Comparator.comparingDouble(r -> r.timing().ms()));
    }

    /** @return convt against the fastest NCHW peer at the row's thread count; empty unless convt with a peer */
    Optional<Ratio> versusFastestPeer(Row row) {
        if (row.implementation() != Implementation.CONVT) {
            return Optional.empty();
        }
        return fastestPeer(row.layer(), row.threads()).map(peer -> Ratio.of(row, peer));
    }

    /**
     * The answer at one thread count: on how many layers convt is faster than the fastest NCHW
     * peer, and by how much overall.
     *
     * @param threads the thread count
     * @param layers layers with both a convt row and a peer row
     * @param ahead layers where convt's mean is the lower
     * @param clearlyAhead layers where the whole ratio interval lies above 1
     * @param clearlyBehind layers where it lies below 1
     * @param geometricMean the geometric mean of the ratios (peer time / convt time)
     */
    record Answer(int threads, int layers, int ahead, int clearlyAhead, int clearlyBehind, double geometricMean) {
        /** @return e.g. "ahead on 9 of 14 layers at 1 thread, geometric mean 1.12×" */
        String headline() {
            return "ahead on " + ahead + " of " + layers + " layers at " + BenchReport.threads(threads)
                    + ", geometric mean " + Numbers.times(geometricMean);
        }

        /** @return e.g. "ahead beyond the 99.9% interval on 7, behind beyond it on 2" */
        String detail() {
            return "ahead beyond the 99.9% interval on " + clearlyAhead + ", behind beyond it on " + clearlyBehind;
        }
    }

    /** @return the thread counts convt was measured at, ascending */
    List<Integer> convtThreadCounts() {
        return rows.stream().filter(r -> r.implementation() == Implementation.CONVT).map(Row::threads).distinct()
                .sorted().toList();
    }

    /** @return the answer at {@code threads}; empty if no layer has both convt and a peer there */
    Optional<Answer> answer(int threads) {
        List<Ratio> ratios = rows.stream().filter(r -> r.implementation() == Implementation.CONVT && r.threads() == threads)
                .map(this::versusFastestPeer).flatMap(Optional::stream).toList();
        if (ratios.isEmpty()) {
            return Optional.empty();
        }
        double logSum = ratios.stream().mapToDouble(r -> Math.log(r.value())).sum();
        return Optional.of(new Answer(threads, ratios.size(), (int) ratios.stream().filter(r -> r.value() > 1).count(),
                (int) ratios.stream().filter(Ratio::clearlyAhead).count(),
                (int) ratios.stream().filter(Ratio::clearlyBehind).count(), Math.exp(logSum / ratios.size())));
    }

    /** @return the highest 1-minute load average recorded at the start or end; NaN if none */
    double peakLoad() {
        double peak = Double.NaN;
        for (String key : List.of("load.start", "load.end")) {
            String load = machine.getProperty(key, "");
            if (!load.isBlank() && !load.equals("unknown")) {
                double oneMinute = Double.parseDouble(load.split(" ")[0]);
                peak = Double.isNaN(peak) ? oneMinute : Math.max(peak, oneMinute);
            }
        }
        return peak;
    }

    /**
     * Where one layer stands under the two roofs at one thread count.
     *
     * @param intensity useful FLOPs per byte of input, weights, bias and output
     * @param memoryBound whether the bandwidth roof is the lower one at that intensity
     * @param roofGflops the lower roof: {@code min(FMA peak, bandwidth * intensity)}
     */
    record Roof(double intensity, boolean memoryBound, double roofGflops) {}

    /** @return the layer's place under the roofs at {@code threads}; empty without both roofs measured there */
    Optional<Roof> roof(SuiteLayer layer, int threads) {
        Peak peak = peaks.get(threads);
        Peak bandwidth = bandwidths.get(threads);
        if (peak == null || bandwidth == null) {
            return Optional.empty();
        }
        double intensity = layer.usefulFlops() / layer.bytes();
        double memoryRoof = bandwidth.gflops() * intensity;
        return Optional.of(new Roof(intensity, memoryRoof < peak.gflops(), Math.min(memoryRoof, peak.gflops())));
    }

    /** @return whether the 1-minute load average at the start or end exceeded the core count */
    boolean busyMachine() {
        return peakLoad() > Integer.parseInt(machine.getProperty("cores", "1"));
    }

    /** @return the two lines every chart carries at its top when {@link #busyMachine()}; else empty */
    Optional<List<String>> busyBanner() {
        if (!busyMachine()) {
            return Optional.empty();
        }
        return Optional.of(List.of("Busy machine: load average up to " + Numbers.significant(peakLoad()) + " on "
                + machine.getProperty("cores") + " cores during this run.",
                "Other processes competed for the CPU; these figures are not a clean measurement."));
    }

    /** @return reference-less layers by the suite's FLOP cap, from the machine file */
    List<String> referenceSkipped() {
        String skipped = machine.getProperty("reference.skipped", "");
        return skipped.isBlank() ? List.of() : List.of(skipped.split(","));
    }
}
