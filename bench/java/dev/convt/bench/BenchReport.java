package dev.convt.bench;

import dev.convt.bench.BenchResults.Implementation;
import dev.convt.bench.BenchResults.Peak;
import dev.convt.bench.BenchResults.Row;
import dev.convt.bench.BenchResults.Series;
import dev.convt.bench.coldstart.ColdStartSuite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns one {@link BenchSuite} run into {@code report.md} and a self-contained {@code report.html}
 * (inline SVG chart, no scripts, nothing fetched) in the same directory.
 *
 * <p>Argument: the results directory (default {@code bench/results}).
 */
public final class BenchReport {

    static final String MARKDOWN = "report.md";
    /** The allocation column's header, explained in the notes. */
    static final String ALLOCATION = "heap B/call, calling thread";
    static final String HTML = "report.html";

    private static final String TITLE = "convt benchmark report";

    private final BenchResults results;
    /** From {@link ColdStartSuite}, if it wrote into the results directory. */
    private final Optional<ColdStartResults> coldStart;

    private BenchReport(BenchResults results, Optional<ColdStartResults> coldStart) {
        this.results = results;
        this.coldStart = coldStart;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/results");
        BenchReport report = new BenchReport(BenchResults.read(dir), ColdStartResults.read(dir));
        Files.writeString(dir.resolve(MARKDOWN), report.markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(HTML), report.html(), StandardCharsets.UTF_8);
        System.out.println("Wrote " + dir.resolve(MARKDOWN) + " and " + dir.resolve(HTML));
    }

    private String summary() {
        String summary = "Suite `" + results.machine.getProperty("suite") + "`, run " + results.machine.getProperty("date")
                + ": " + results.layers().size() + " layers, " + results.rows.size() + " measurements.";
        return results.busyMachine()
                ? summary + " Warning: the load average was above the core count during the run, so other processes"
                        + " competed for the CPU; the numbers understate what this machine can do."
                : summary;
    }

    ReportTable machineTable() {
        var m = results.machine;
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("commit", m.getProperty("git.commit", "?") + ", local changes: "
                + m.getProperty("git.dirty", "?")));
        rows.add(List.of("convt", m.getProperty("convt.version", "?")));
        rows.add(List.of("peers", "ONNX Runtime " + results.peers.getProperty("onnxruntime.version", "?") + "; oneDNN "
                + results.peers.getProperty("onednn.version", "?")));
        rows.add(List.of("CPU", m.getProperty("cpu") + " (vendor " + m.getProperty("cpu.vendor", "?") + ", family "
                + m.getProperty("cpu.family", "?") + ", model " + m.getProperty("cpu.model", "?") + ", stepping "
                + m.getProperty("cpu.stepping", "?") + ")"));
        rows.add(List.of("caches (CPU 0)", m.getProperty("cpu.caches", "?")));
        rows.add(List.of("cores (available to the JVM)", m.getProperty("cores")));
        rows.add(List.of("OS, kernel", m.getProperty("os")));
        rows.add(List.of("JDK", m.getProperty("jdk")));
        rows.add(List.of("Vector API preferred species", m.getProperty("vector.species") + ": "
                + m.getProperty("vector.bits") + "-bit, " + m.getProperty("vector.lanes") + " floats"));
        List<String> scratchFlags = List.of("-D" + ExpectedOutput.CACHE_PROPERTY + "=",
                "-D" + PeerInfo.DIRECTORY_PROPERTY + "=");
        rows.add(List.of("JVM flags of the benchmark forks", results.jvmArgs.stream()
                .map(a -> scratchFlags.stream().filter(a::startsWith).findFirst()
                        .map(f -> f + "(temporary directory)").orElse(a))
                .collect(Collectors.joining(" "))));
        rows.add(List.of("JMH", results.jmhVersion + ", sample mode for the implementations (calls timed one by"
                + " one: mean, median, p99), average time for the FMA peak"));
        results.settingsByBenchmark.forEach((benchmark, settings) -> rows.add(List.of("iterations: " + benchmark,
                settings.toString())));
        rows.add(List.of("date (start)", m.getProperty("date")));
        rows.add(List.of("suite run time", m.getProperty("duration.seconds", "?") + " s (JMH only, without the build)"));
        rows.add(List.of("load average 1/5/15 min, start → end", m.getProperty("load.start", "?") + " → "
                + m.getProperty("load.end", "?") + " (on " + m.getProperty("cores") + " cores: above that, other"
                + " processes competed for the CPU)"));
        return new ReportTable(List.of("", ""), List.of(false, false), rows);
    }

    /** One row per layer, GFLOP/s per series: the table the README quotes. */
    ReportTable summaryTable() {
        List<Series> series = results.series();
        List<Series> convt = series.stream().filter(c -> c.implementation() == Implementation.CONVT).toList();
        List<String> header = new ArrayList<>(List.of("layer", "work per call"));
        series.forEach(c -> header.add(c.label() + " GFLOP/s"));
        convt.forEach(c -> header.add("convt vs fastest NCHW peer, " + threads(c.threads())));
        List<Boolean> numeric = new ArrayList<>(List.of(false, true));
        header.subList(2, header.size()).forEach(h -> numeric.add(true));
        List<List<String>> rows = new ArrayList<>();
        for (SuiteLayer layer : results.layers()) {
            List<String> row = new ArrayList<>(List.of(layer.id(), Numbers.flops(layer.flops())));
            series.forEach(c -> row.add(results.find(layer, c).map(r -> Numbers.significant(r.gflops()))
                    .orElse(Numbers.MISSING)));
            convt.forEach(c -> row.add(results.find(layer, c).flatMap(results::versusFastestPeer)
                    .map(r -> Numbers.times(r.value()) + " (" + r.peer().implementation().label + ")")
                    .orElse(Numbers.MISSING)));
            rows.add(row);
        }
        return new ReportTable(header, numeric, rows);
    }

    /** @return e.g. "1 thread", "2 threads" */
    static String threads(int n) {
        return n + (n == 1 ? " thread" : " threads");
    }

    /** The peers, their versions and how each was run. */
    ReportTable peerTable() {
        var p = results.peers;
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(Implementation.ONNX_RUNTIME.label, p.getProperty("onnxruntime.version", "?")
                + " (Java package, CPU)", "one-node ConvTranspose model, intra-op threads = threads (the caller"
                + " included), spinning, full graph optimisation; input and output tensors made once, the output"
                + " bound as a pinned output, both read and written in place; a 1-D layer as 2-D with height 1, a 3-D"
                + " layer on rank-5 tensors"));
        rows.add(List.of(Implementation.ONEDNN_NCHW.label, p.getProperty("onednn.version", "?") + ", JavaCPP presets",
                "deconvolution_forward, forward_inference, f32; src and dst plain NCHW (ncw for 1-D, ncdhw for"
                        + " 3-D), weights and"
                        + " bias in oneDNN's preferred layout, reordered once before timing; OpenMP threads set by"
                        + " omp_set_num_threads before the primitive is made; a call is execute + stream.wait"));
        rows.add(List.of(Implementation.ONEDNN_OWN.label, p.getProperty("onednn.version", "?"),
                "the same primitive with format_tag any for src and dst too: the input reordered into oneDNN's"
                        + " layout before timing, the output left in it (converted for the check only). Not what a"
                        + " convt user holds, so not counted as a peer: it shows what a layout change would buy"));
        return new ReportTable(List.of("peer", "version", "how it runs"), List.of(false, false, false), rows);
    }

    /** Per layer, what each peer ran: oneDNN's impl_info_str and layouts, ONNX Runtime's model form. */
    ReportTable implementationTable() {
        List<Integer> threadCounts = results.rows.stream().map(Row::threads).distinct().sorted().toList();
        List<List<String>> rows = new ArrayList<>();
        for (SuiteLayer layer : results.layers()) {
            List<String> row = new ArrayList<>(List.of(layer.id(),
                    results.peers.getProperty("onnxruntime." + layer.id(), Numbers.MISSING)));
            for (String layout : List.of("nchw", "own")) {
                row.add(chosen(layer, layout, threadCounts));
            }
            rows.add(row);
        }
        return new ReportTable(List.of("layer", "ONNX Runtime model", Implementation.ONEDNN_NCHW.label
                + ": impl_info_str; layouts", Implementation.ONEDNN_OWN.label + ": impl_info_str; layouts"),
                List.of(false, false, false, false), rows);
    }

    /** oneDNN's choice for one layer and layout: once if the same at every thread count, else per count. */
    private String chosen(SuiteLayer layer, String layout, List<Integer> threadCounts) {
        List<String> perCount = threadCounts.stream()
                .map(t -> results.peers.getProperty("onednn." + layout + "." + layer.id() + "." + t, Numbers.MISSING))
                .toList();
        if (perCount.stream().distinct().count() == 1) {
            return perCount.get(0);
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < threadCounts.size(); i++) {
            parts.add(threads(threadCounts.get(i)) + ": " + perCount.get(i));
        }
        return String.join("; ", parts);
    }

    /** Layers of at most this many nominal FLOPs get the latency table: calls of microseconds, where serving cares. */
    static final double SMALL_LAYER_FLOPS = 10e6;

    /** Median and 99th percentile per call on the small layers, per implementation and thread count. */
    private static final String NO_SMALL_LAYER = "No layer this small was measured in this run.";

    ReportTable latencyTable() {
        List<Series> series = results.series().stream()
                .filter(c -> c.implementation() != Implementation.REFERENCE).toList();
        List<String> header = new ArrayList<>(List.of("layer"));
        series.forEach(c -> header.add(c.label() + ": p50 / p99 us"));
        List<List<String>> rows = new ArrayList<>();
        for (SuiteLayer layer : results.layers()) {
            if (layer.flops() > SMALL_LAYER_FLOPS) {
                continue;
            }
            List<String> row = new ArrayList<>(List.of(layer.id()));
            series.forEach(c -> row.add(results.find(layer, c).map(r -> Numbers.significant(1e3 * r.timing().median())
                    + " / " + Numbers.significant(1e3 * r.timing().p99())).orElse(Numbers.MISSING)));
            rows.add(row);
        }
        List<Boolean> numeric = new ArrayList<>(List.of(false));
        series.forEach(c -> numeric.add(true));
        return new ReportTable(header, numeric, rows);
    }

    /** The stream triad per thread count: the memory roof, and where it meets the FMA roof. */
    ReportTable bandwidthTable() {
        List<List<String>> rows = new ArrayList<>();
        for (Peak bandwidth : results.bandwidths.values()) {
            Peak peak = results.peaks.get(bandwidth.threads());
            rows.add(List.of(Integer.toString(bandwidth.threads()), Numbers.significant(bandwidth.gflops()),
                    Numbers.significant(bandwidth.meanGflops()),
                    peak == null ? Numbers.MISSING : Numbers.significant(peak.gflops() / bandwidth.gflops())));
        }
        return new ReportTable(List.of("threads", "GB/s (fastest iteration)", "mean GB/s",
                "ridge: FMA peak / bandwidth, FLOP/byte"), List.of(true, true, true, true), rows);
    }

    /**
     * Per layer and thread count: its arithmetic intensity, which roof bounds it, and the share of
     * that roof each implementation reaches (useful FLOPs).
     */
    ReportTable rooflineTable() {
        List<Integer> threadCounts = results.convtThreadCounts().stream()
                .filter(t -> results.peaks.containsKey(t) && results.bandwidths.containsKey(t)).toList();
        List<Implementation> shown = results.series().stream().map(Series::implementation)
                .filter(i -> i != Implementation.REFERENCE).distinct().toList();
        List<String> header = new ArrayList<>(List.of("layer", "threads", "useful FLOP/byte", "bound (roof GFLOP/s)"));
        shown.forEach(i -> header.add(i.label + " % of roof"));
        List<List<String>> rows = new ArrayList<>();
        for (SuiteLayer layer : results.layers()) {
            for (int t : threadCounts) {
                BenchResults.Roof roof = results.roof(layer, t).orElseThrow();
                List<String> row = new ArrayList<>(List.of(layer.id(), Integer.toString(t),
                        Numbers.significant(roof.intensity()),
                        (roof.memoryBound() ? "memory" : "FMA") + " (" + Numbers.significant(roof.roofGflops()) + ")"));
                shown.forEach(i -> row.add(results.find(layer, new Series(i, t))
                        .map(r -> Numbers.percent(100 * r.usefulGflops() / roof.roofGflops())).orElse(Numbers.MISSING)));
                rows.add(row);
            }
        }
        List<Boolean> numeric = new ArrayList<>(List.of(false, true, true, false));
        shown.forEach(i -> numeric.add(true));
        return new ReportTable(header, numeric, rows);
    }

    /**
     * The whole DCGAN generator: per thread count, convt's and ONNX Runtime's time per image and
     * the ratio; empty when the run left the network out.
     */
    Optional<ReportTable> networkTable() {
        if (results.network.isEmpty()) {
            return Optional.empty();
        }
        double flops = DcganNetwork.create().flops();
        List<List<String>> rows = new ArrayList<>();
        for (BenchResults.NetworkRow row : results.network) {
            BenchResults.Timing t = row.timing();
            String ratio = row.implementation() != Implementation.CONVT ? ""
                    : results.networkRatio(row.threads()).map(r -> Numbers.times(r[0]) + " ("
                            + Numbers.interval(new double[] {r[1], r[2]}) + ")").orElse(Numbers.MISSING);
            rows.add(List.of(row.implementation().label, Integer.toString(row.threads()), Numbers.significant(t.ms()),
                    Numbers.significant(t.error()), Numbers.significant(t.median()), Numbers.significant(t.p99()),
                    Numbers.significant(1000 / t.ms()), Numbers.significant(t.gflops(flops)), ratio,
                    Numbers.bytes(row.allocBytesPerCall())));
        }
        return Optional.of(new ReportTable(List.of("implementation", "threads", "mean ms/image", "± ms", "median ms",
                "p99 ms", "images/s", "GFLOP/s (nominal)", "ONNX Runtime time / convt time (99.9% interval)",
                ALLOCATION), List.of(false, true, true, true, true, true, true, true, true, true), rows));
    }

    /** @return what the network section says above its table */
    String networkDescription() {
        return "The DCGAN generator end to end, one latent vector (1,100,1,1) to one image (1,3,64,64): the five"
                + " layers dcgan_l1 to dcgan_l5, BatchNorm (inference mode, eps " + DcganNetwork.EPS + ", seeded"
                + " parameters) and ReLU after the first four, tanh after the last; "
                + Numbers.flops(DcganNetwork.create().flops()) + " nominal per image. convt folds each BatchNorm into"
                + " its layer's weights and bias and fuses the activation into the store; ONNX Runtime runs the"
                + " same ONNX graph (ConvTranspose, BatchNormalization and Relu nodes, Tanh at the end) with full"
                + " graph optimisation. Both outputs are checked against the scalar reference chain (DirectReference"
                + " per layer, BatchNorm in double) before and after timing. Above 1, convt is faster.";
    }

    /** @return what the cold-start section says: what was measured, or how to measure it */
    String coldStartDescription() {
        String how = "Measured by " + ColdStartSuite.class.getName() + " (library part): one fresh JVM per"
                + " measurement, one thread, each call timed from the first until 3 s have passed; convt+aot uses a"
                + " JDK AOT cache trained on the same layers. Run it with the suite by adding -Dcoldstart.skip=false"
                + " to ./mvnw -Pbench verify; it writes " + ColdStartSuite.RESULTS + " into the results directory,"
                + " where this report finds it.";
        return coldStart.map(c -> "From " + ColdStartSuite.RESULTS + ", written " + c.written() + ". " + how
                + " Steady call: median of the second half of the calls; time to steady state: the sum of the"
                + " calls before the first run of 5 calls whose median is within 1.5× of it.")
                .orElse("Not measured for this report. " + how);
    }

    ReportTable peakTable() {
        List<List<String>> rows = new ArrayList<>();
        for (Peak peak : results.peaks.values()) {
            rows.add(List.of(Integer.toString(peak.threads()), Numbers.significant(peak.gflops()),
                    Numbers.significant(peak.gflops() / peak.threads()), Numbers.significant(peak.meanGflops()),
                    Numbers.interval(peak.meanGflopsInterval())));
        }
        return new ReportTable(List.of("threads", "peak GFLOP/s (fastest iteration)", "per thread",
                "mean GFLOP/s", "mean 99.9% CI"), List.of(true, true, true, true, true), rows);
    }

    ReportTable resultTable() {
        List<List<String>> rows = new ArrayList<>();
        for (Row row : results.rows) {
            rows.add(List.of(row.layer().id(), row.implementation().label, Integer.toString(row.threads()),
                    Numbers.significant(row.timing().ms()), Numbers.significant(row.timing().error()),
                    Numbers.significant(row.timing().median()), Numbers.significant(row.timing().p99()),
                    Numbers.significant(row.gflops()), Numbers.interval(row.gflopsInterval()),
                    Numbers.significant(row.usefulGflops()), Numbers.percent(results.percentOfPeak(row)), Numbers.times(results.speedupOverReference(row)),
                    results.versusFastestPeer(row).map(r -> Numbers.times(r.value())).orElse(Numbers.MISSING),
                    Numbers.bytes(row.allocBytesPerCall())));
        }
        return new ReportTable(List.of("layer", "implementation", "threads", "mean ms/call", "± ms", "median ms",
                "p99 ms", "GFLOP/s", "GFLOP/s 99.9% CI", "useful GFLOP/s", "% of FMA peak (useful)", "vs reference",
                "vs fastest NCHW peer", ALLOCATION),
                List.of(false, false, true, true, true, true, true, true, true, true, true, true, true, true), rows);
    }

    ReportTable layerTable() {
        List<String> skipped = results.referenceSkipped();
        List<List<String>> rows = new ArrayList<>();
        for (SuiteLayer layer : results.layers()) {
            String spec = layer.spec().toString();
            rows.add(List.of(layer.id(), layer.origin(), layer.shapes(),
                    spec.substring(spec.indexOf('[') + 1, spec.length() - 1),
                    Numbers.flops(layer.flops()), Numbers.flops(layer.usefulFlops()),
                    Numbers.percent(100 * layer.usefulFlops() / layer.flops()),
                    skipped.contains(layer.id()) ? "not timed: over the cap" : "timed"));
        }
        return new ReportTable(List.of("layer", "from", "input -> output: (N,C,H,W), 1-D (N,C,W), 3-D (N,C,D,H,W)",
                "parameters", "work per call (nominal)",
                "useful", "useful share", "scalar reference"),
                List.of(false, false, false, false, true, true, true, false), rows);
    }

    private List<String> notes() {
        List<String> notes = new ArrayList<>();
        notes.add("Nominal FLOPs per call = 2·N·Cin·(Cout/groups)·H·W·kH·kW, times D·kD for a 3-D layer (every"
                + " input element times every kernel tap, whether or not the tap lands in the cropped output), the count profilers report;"
                + " useful FLOPs count only the (input, tap) pairs whose output lies inside the cropped output."
                + " GFLOP/s and the chart of GFLOP/s use nominal FLOPs; useful GFLOP/s and % of FMA peak use useful"
                + " FLOPs. Ratios between implementations are ratios of times and do not depend on the count.");
        notes.add("Timing is JMH's sample mode: calls are timed one at a time, so each row has a mean, a median"
                + " and a 99th percentile per call; GFLOP/s and the ratios use the mean. A timed call includes"
                + " about 20-30 ns of timer reads, which matters only for calls of a few microseconds.");
        notes.add("± ms and the confidence intervals are 99.9% intervals over the means of the measured iterations"
                + " (Student's t, as JMH's average-time mode computes them), from JMH's raw sample histograms:"
                + " JMH's own sample-mode interval treats every sampled call as independent and is much narrower"
                + " than the spread between iterations. A dash means fewer than three measured iterations.");
        notes.add("% of FMA peak compares with the Vector API FMA benchmark at the same thread count"
                + " (12 independent FloatVector fma chains per thread), taking its fastest measured iteration:"
                + " other load on the machine can only slow that loop, so the fastest iteration is the best"
                + " estimate of the peak.");
        notes.add("Roofline: useful FLOP/byte = useful FLOPs / bytes of input, weights, bias and output (each"
                + " counted once, float32). The roof at that intensity is the lower of the FMA peak and the stream"
                + " triad bandwidth (a[i] = b[i] + s·c[i] on 32 MiB arrays per thread, two reads and a write counted)"
                + " times the intensity; a layer under the bandwidth roof is memory-bound, and % of FMA peak says"
                + " little about it. % of roof uses useful FLOPs. The stream arrays are far larger than the caches,"
                + " so the bandwidth roof is main memory's: a layer whose operands fit in cache can reach above it.");
        notes.add("vs reference: time of the scalar reference (one thread) / time of this row."
                + " vs fastest NCHW peer: the faster (by mean) of ONNX Runtime and oneDNN on NCHW at the same"
                + " thread count, its time / convt's time; above 1, convt is faster. oneDNN on its own layout is"
                + " not counted: a convt user's tensors are NCHW.");
        notes.add("Every implementation's output is checked against the scalar reference (DirectReference, sums in double)"
                + " (|diff| <= 1e-4 · (|bias| + sum |x·w|) + 1e-6 per element) before and after timing;"
                + " a mismatch fails the run, so no wrong answer reaches this table.");
        notes.add(ALLOCATION + ": Java heap bytes the thread that makes the call allocates per call, from"
                + " ThreadMXBean.getCurrentThreadAllocatedBytes over up to " + CallAllocation.MAX_CALLS + " untimed"
                + " calls after the timed iterations; worker threads, native memory (the peers' own allocators) and"
                + " the scalar reference (not measured) are not in it.");
        List<String> skipped = results.referenceSkipped();
        notes.add("The scalar reference is slow (one call on the largest layers takes seconds), so it is timed only"
                + " on layers of at most " + results.machine.getProperty("reference.maxGflop") + " GFLOP per call"
                + (skipped.isEmpty() ? "; no selected layer was over that."
                        : "; not timed (no speed-up over it shown): " + String.join(", ", skipped) + "."));
        return notes;
    }

    /** @return the summary lines: one per thread count convt ran at */
    List<String> answerLines() {
        return results.convtThreadCounts().stream().map(results::answer).flatMap(Optional::stream)
                .map(a -> "convt against the fastest NCHW peer: " + a.headline() + " (" + a.detail() + ").").toList();
    }

    /** Per layer and thread count: the ratio, its interval and the peer it was taken against. */
    ReportTable answerTable() {
        List<Integer> threadCounts = results.convtThreadCounts();
        List<String> header = new ArrayList<>(List.of("layer"));
        threadCounts.forEach(t -> header.add("fastest NCHW peer / convt time, " + threads(t) + " (99.9% interval)"));
        List<List<String>> rows = new ArrayList<>();
        for (SuiteLayer layer : results.layers()) {
            List<String> row = new ArrayList<>(List.of(layer.id()));
            for (int t : threadCounts) {
                row.add(results.rows.stream()
                        .filter(r -> r.layer() == layer && r.threads() == t && r.implementation() == Implementation.CONVT)
                        .findFirst().flatMap(results::versusFastestPeer)
                        .map(r -> Numbers.times(r.value()) + " (" + Numbers.interval(new double[] {r.low(), r.high()})
                                + ") vs " + r.peer().implementation().label
                                + (r.clearlyAhead() ? ", ahead" : r.clearlyBehind() ? ", behind" : ", within the interval"))
                        .orElse(Numbers.MISSING));
            }
            rows.add(row);
        }
        List<Boolean> numeric = new ArrayList<>(List.of(false));
        threadCounts.forEach(t -> numeric.add(false));
        return new ReportTable(header, numeric, rows);
    }

    String markdown() {
        StringBuilder s = new StringBuilder("# " + TITLE + "\n\n" + summary() + "\n\n");
        s.append("## The answer: convt or the fastest peer?\n\n");
        answerLines().forEach(l -> s.append("- ").append(l).append('\n'));
        s.append('\n').append(answerTable().markdown()).append('\n');
        networkTable().ifPresent(t -> s.append("## Whole network: DCGAN generator\n\n").append(networkDescription())
                .append("\n\n").append(t.markdown()).append('\n'));
        s.append("## Summary (GFLOP/s)\n\n").append(summaryTable().markdown());
        s.append("\n## Latency on the small layers (at most " + Numbers.flops(SMALL_LAYER_FLOPS) + " per call)\n\n")
                .append(latencyTable().rows().isEmpty() ? NO_SMALL_LAYER + "\n" : latencyTable().markdown());
        s.append("\n## Cold start\n\n").append(coldStartDescription()).append("\n\n");
        coldStart.ifPresent(c -> s.append(c.table().markdown()));
        s.append("\n## Peers\n\n").append(peerTable().markdown());
        s.append("\n## What the peers ran\n\n").append(implementationTable().markdown());
        s.append("\n## Machine\n\n").append(machineTable().markdown());
        s.append("\n## Measured FMA peak\n\n").append(peakTable().markdown());
        s.append("\n## Measured memory bandwidth\n\n").append(bandwidthTable().markdown());
        s.append("\n## Roofline: which roof bounds each layer\n\n").append(rooflineTable().markdown());
        s.append("\n## Results\n\n").append(resultTable().markdown());
        s.append("\n## Layers\n\n").append(layerTable().markdown());
        s.append("\n## Notes\n\n");
        notes().forEach(n -> s.append("- ").append(n).append('\n'));
        return s.toString();
    }

    String html() {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>").append(TITLE)
                .append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        s.append("<h1>").append(TITLE).append("</h1>\n<p>").append(Html.escape(summary().replace("`", "")))
                .append("</p>\n");
        s.append("<h2>The answer: convt or the fastest peer?</h2>\n<ul>\n");
        answerLines().forEach(l -> s.append("<li>").append(Html.escape(l)).append("</li>\n"));
        s.append("</ul>\n<div class=\"chart answer\">\n").append(AnswerChart.svg(results)).append("</div>\n");
        networkTable().ifPresent(t -> s.append("<h2>Whole network: DCGAN generator</h2>\n<p>")
                .append(Html.escape(networkDescription())).append("</p>\n").append(t.html()));
        s.append("<h2>GFLOP/s per layer</h2>\n<div class=\"chart\">\n").append(ReportChart.svg(results))
                .append("</div>\n");
        s.append("<h2>Roofline: which roof bounds each layer</h2>\n<div class=\"chart roofline\">\n")
                .append(RooflineChart.svg(results)).append("</div>\n").append(rooflineTable().html());
        s.append("<h2>Summary (GFLOP/s)</h2>\n").append(summaryTable().html());
        s.append("<h2>Results</h2>\n").append(resultTable().html());
        s.append("<h2>Latency on the small layers (at most ").append(Numbers.flops(SMALL_LAYER_FLOPS))
                .append(" per call)</h2>\n").append(latencyTable().rows().isEmpty() ? "<p>" + NO_SMALL_LAYER + "</p>\n"
                        : latencyTable().html());
        s.append("<h2>Cold start</h2>\n<p>").append(Html.escape(coldStartDescription())).append("</p>\n");
        coldStart.ifPresent(c -> s.append(c.table().html()));
        s.append("<h2>Peers</h2>\n").append(peerTable().html());
        s.append("<h2>What the peers ran</h2>\n").append(implementationTable().html());
        s.append("<h2>Measured FMA peak</h2>\n").append(peakTable().html());
        s.append("<h2>Measured memory bandwidth</h2>\n").append(bandwidthTable().html());
        s.append("<h2>Machine</h2>\n").append(machineTable().html());
        s.append("<h2>Layers</h2>\n").append(layerTable().html());
        s.append("<h2>Notes</h2>\n<ul>\n");
        notes().forEach(n -> s.append("<li>").append(Html.escape(n)).append("</li>\n"));
        return s.append("</ul>\n</body>\n</html>\n").toString();
    }

    private static final String STYLE = """
            body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1200px; }
            h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
            table { border-collapse: collapse; font-size: 13px; display: block; overflow-x: auto; max-width: 100%; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
            th { background: #eef1f5; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            tbody tr:nth-child(even) { background: #fafafa; }
            .chart { overflow-x: auto; }
            .chart svg { max-width: 100%; min-width: 640px; height: auto; }
            @media (max-width: 700px) {
              body { margin: 10px; }
              td:not(.num) { min-width: 7em; }
            }
            li { margin: 4px 0; font-size: 14px; }
            """;
}
