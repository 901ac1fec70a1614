package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report generator on a hand-made JMH result file, without running JMH. */
class BenchReportTest {

    private static final SuiteLayer LAYER = SuiteLayer.DCGAN_L2;

    private static String entry(Class<?> benchmark, String method, int jmhThreads, String params, double ms,
            String error, String secondary) {
        return entry(benchmark, method, jmhThreads, params, ms, ms, error, secondary);
    }

    private static String entry(Class<?> benchmark, String method, int jmhThreads, String params, double ms,
            double fastest, String error, String secondary) {
        return String.format(Locale.ROOT, """
                { "jmhVersion" : "1.37", "benchmark" : "%s.%s", "mode" : "avgt", "threads" : %d, "forks" : 1,
                  "jvmArgs" : [ "-Xmx1g", "--add-modules=jdk.incubator.vector" ],
                  "warmupIterations" : 3, "warmupTime" : "200 ms", "measurementIterations" : 3,
                  "measurementTime" : "200 ms", "params" : { %s },
                  "primaryMetric" : { "score" : %s, "scoreError" : %s, "scoreConfidence" : [ %s, %s ],
                                      "scorePercentiles" : { "0.0" : %s }, "scoreUnit" : "ms/op" },
                  "secondaryMetrics" : { %s } }""", benchmark.getName(), method, jmhThreads, params, ms, error,
                error.equals("\"NaN\"") ? error : Double.toString(ms - Double.parseDouble(error)),
                error.equals("\"NaN\"") ? error : Double.toString(ms + Double.parseDouble(error)), fastest, secondary);
    }

    /**
     * A sample-mode entry as JMH writes it: the score is the mean of every sampled call, the raw
     * histogram holds each iteration's calls (each with count 1 here).
     */
    private static String sample(Class<?> benchmark, String method, String params, double median, double p99,
            double[]... iterations) {
        double sum = 0;
        int calls = 0;
        StringJoiner histogram = new StringJoiner(", ", "[ [ ", " ] ]");
        for (double[] iteration : iterations) {
            StringJoiner bins = new StringJoiner(", ", "[ ", " ]");
            for (double call : iteration) {
                bins.add("[ " + call + ", 1 ]");
                sum += call;
                calls++;
            }
            histogram.add(bins.toString());
        }
        double fastest = Arrays.stream(iterations).flatMapToDouble(Arrays::stream).min().orElseThrow();
        return String.format(Locale.ROOT, """
                { "jmhVersion" : "1.37", "benchmark" : "%s.%s", "mode" : "sample", "threads" : 1, "forks" : 1,
                  "jvmArgs" : [ "-Xmx1g", "--add-modules=jdk.incubator.vector" ],
                  "warmupIterations" : 3, "warmupTime" : "200 ms", "measurementIterations" : %d,
                  "measurementTime" : "200 ms", "params" : { %s },
                  "primaryMetric" : { "score" : %s, "scoreError" : 0.001, "scoreConfidence" : [ 0, 1 ],
                                      "scorePercentiles" : { "0.0" : %s, "50.0" : %s, "99.0" : %s },
                                      "scoreUnit" : "ms/op", "rawDataHistogram" : %s },
                  "secondaryMetrics" : { %s } }""", benchmark.getName(), method, iterations.length, params,
                sum / calls, fastest, median, p99, histogram, alloc(4096));
    }

    private static double[] calls(double... ms) {
        return ms;
    }

    private static String layerParams(int threads) {
        return "\"layer\" : \"" + LAYER.id() + "\", \"threads\" : \"" + threads + "\"";
    }

    /** JMH's -prof gc figure, every thread's allocation: the report must not show it. */
    private static String alloc(double bytes) {
        return "\"gc.alloc.rate.norm\" : { \"score\" : " + bytes + ", \"scoreUnit\" : \"B/op\" }";
    }

    @Test
    void writesBothReportsWithSpeedupsAndPeak(@TempDir Path dir) throws Exception {
        // 16 lanes: one FMA-peak call is 2*16*12*1024 FLOP; the fastest iteration, 0.002 ms,
        // makes a peak of 196.608 GFLOP/s.
        String oneDnn = "\"layer\" : \"" + LAYER.id() + "\", \"layout\" : \"%s\", \"threads\" : \"%d\"";
        List<String> entries = List.of(
                entry(FmaPeakBenchmark.class, "fmaChains", 1, "", 0.0025, 0.002, "0.0001", ""),
                entry(FmaPeakBenchmark.class, "fmaChains", 2, "", 0.004, "\"NaN\"", ""),
                // 3 x 4 B x 8M floats in 10 ms: 10.07 GB/s, so the ridge is at 197 / 10.07 = 19.5 FLOP/byte.
                entry(StreamBenchmark.class, "triad", 1, "", 10.0, "0.5", ""),
                // Iteration means 1.9, 2, 2, 2, 2.1: mean 2, sd 0.0707, t(99.95%, 4 df) = 8.610,
                // so the interval is 2 +- 0.272 ms.
                sample(ConvtBenchmark.class, "forward", layerParams(1), 1.95, 2.3, calls(1.8, 2.0), calls(2.0),
                        calls(2.0), calls(2.0), calls(2.1, 2.1)),
                sample(ConvtBenchmark.class, "forward", layerParams(2), 1.0, 1.0, calls(1.0), calls(1.0), calls(1.0)),
                sample(OnnxRuntimeBenchmark.class, "run", layerParams(1), 4.0, 4.0, calls(4.0), calls(4.0), calls(4.0)),
                sample(OnnxRuntimeBenchmark.class, "run", layerParams(2), 3.0, 3.0, calls(3.0), calls(3.0), calls(3.0)),
                sample(OneDnnBenchmark.class, "forward", String.format(Locale.ROOT, oneDnn, "nchw", 1), 3.0, 3.0,
                        calls(3.0), calls(3.0), calls(3.0)),
                sample(OneDnnBenchmark.class, "forward", String.format(Locale.ROOT, oneDnn, "nchw", 2), 2.5, 2.5,
                        calls(2.5), calls(2.5), calls(2.5)),
                // Faster than convt, but on its own layout: not a peer a convt user can swap in.
                sample(OneDnnBenchmark.class, "forward", String.format(Locale.ROOT, oneDnn, "own", 1), 0.5, 0.5,
                        calls(0.5), calls(0.5), calls(0.5)),
                // A small layer with convt only: in the latency table, not in the answer.
                sample(ConvtBenchmark.class, "forward", "\"layer\" : \"tiny_2x2_k3\", \"threads\" : \"1\"", 0.0005,
                        0.002, calls(0.0005), calls(0.0005), calls(0.0005)),
                entry(ReferenceBenchmark.class, "forward", 1, "\"layer\" : \"" + LAYER.id() + "\"", 100.0, "5", ""),
                // The whole generator: 209 MFLOP per image; convt 2 ms, ONNX Runtime 3 ms, no spread.
                sample(NetworkBenchmark.class, "run", "\"implementation\" : \"convt\", \"threads\" : \"1\"", 2.0, 2.5,
                        calls(2.0), calls(2.0), calls(2.0)),
                sample(NetworkBenchmark.class, "run", "\"implementation\" : \"onnx\", \"threads\" : \"1\"", 3.0, 3.5,
                        calls(3.0), calls(3.0), calls(3.0)));
        Files.writeString(dir.resolve(BenchSuite.RESULTS_JSON), entries.stream().collect(Collectors.joining(",\n", "[\n", "\n]")));
        Files.writeString(dir.resolve(BenchSuite.MACHINE_PROPERTIES), """
                cpu=Test CPU
                cpu.family=26
                cpu.caches=L1d 48K (shared by CPUs 0)
                git.commit=0123abc
                git.dirty=no
                cores=2
                os=Linux
                jdk=OpenJDK 25
                vector.species=Species[float, 16, S_512_BIT]
                vector.bits=512
                vector.lanes=16
                date=2026-01-01T00:00:00Z
                suite=quick
                reference.maxGflop=2.0
                reference.skipped=
                load.start=0.50 0.40 0.30
                load.end=3.50 1.20 0.70
                duration.seconds=300
                """);
        Files.writeString(dir.resolve(PeerInfo.FILE), """
                onnxruntime.version=9.8.7
                onnxruntime.dcgan_l2=ConvTranspose node on rank-4 tensors
                onednn.version=3.11.0 (test)
                onednn.nchw.dcgan_l2.1=brg_test; src abcd
                onednn.nchw.dcgan_l2.2=brg_other; src abcd
                onednn.own.dcgan_l2.1=jit_own; src acdb
                alloc.convt.dcgan_l2.1=0.0
                alloc.convt.dcgan_l2.2=0.0
                alloc.onnx_runtime.dcgan_l2.1=1240.0
                alloc.convt.network.1=0.0
                alloc.onnx_runtime.network.1=208.0
                """);

        // Three fresh JVMs for convt (medians: 9000 ms to the first result, 70 ms steady), one for ONNX Runtime.
        Files.write(dir.resolve(dev.convt.bench.coldstart.ColdStartSuite.RESULTS), List.of(
                coldStart("convt", 9000, 7000, 70, 12000), coldStart("onnx", 2400, 1.6, 1.5, 26),
                coldStart("convt", 9500, 7600, 72, 13000), coldStart("convt", 8000, 6500, 65, 11000)));

        BenchReport.main(new String[] {dir.toString()});

        String markdown = Files.readString(dir.resolve(BenchReport.MARKDOWN));
        String html = Files.readString(dir.resolve(BenchReport.HTML));
        // convt at 1 thread: 67.1 MFLOP in 2 ms = 33.6 GFLOP/s; mean, +-, median, p99 as above.
        assertTrue(markdown.contains("| dcgan_l2 | convt | 1 | 2 | 0.272 | 1.95 | 2.3 | 33.6 | 29.5–38.8 |"), markdown);
        // 50x the reference; 1.5x the fastest NCHW peer (oneDNN at 3 ms, not ONNX Runtime at 4 ms,
        // and not oneDNN's own layout at 0.5 ms).
        // Useful FLOPs: 14 of the 16 (input, tap) pairs per axis land in the 8x8 output, so
        // 67.1 MFLOP x (14/16)^2 = 51.4 MFLOP; in 2 ms 25.7 GFLOP/s, 13.1% of the 197 GFLOP/s peak.
        assertTrue(markdown.contains("| 25.7 | 13.1 % | 50× | 1.5× | 0 |"), markdown);
        assertTrue(markdown.contains("| 67.1 MFLOP | 51.4 MFLOP | 76.6 % | timed |"), markdown);
        // The answer: 3 / (2 +- 0.272) ms is 1.32-1.74, wholly above 1; at 2 threads 2.5 / 1 exactly.
        assertTrue(markdown.contains("- convt against the fastest NCHW peer: ahead on 1 of 1 layers at 1 thread, geometric"
                + " mean 1.5× (ahead beyond the 99.9% interval on 1, behind beyond it on 0)."), markdown);
        assertTrue(markdown.contains("| dcgan_l2 | 1.5× (1.32–1.74) vs oneDNN, NCHW, ahead | 2.5× (2.5–2.5) vs oneDNN,"
                + " NCHW, ahead |"), markdown);
        assertTrue(markdown.contains("| commit | 0123abc, local changes: no |"), markdown);
        assertTrue(markdown.contains("| 1 | 10.1 | 10.1 | 19.5 |"), markdown);
        // dcgan_l2: 51.4 MFLOP useful over 8.49 MB of operands = 6.05 FLOP/byte, under the ridge:
        // memory-bound at 10.07 x 6.05 = 60.9 GFLOP/s; convt's 25.7 is 42.2% of it, oneDNN's 17.1 is 28.1%.
        // ONNX Runtime's 12.8 is 21.1%; oneDNN on its own layout, 103, is above the memory roof
        // (the stream bandwidth is DRAM's, and dcgan_l2's 8.5 MB of operands partly fit in cache).
        assertTrue(markdown.contains("| dcgan_l2 | 1 | 6.05 | memory (60.9) | 42.2 % | 21.1 % | 28.1 % | 168.6 % |"),
                markdown);
        assertTrue(html.contains("<title>dcgan_l2, convt: 25.7 useful GFLOP/s at 6.05 FLOP/byte, 42.2 % of the memory"
                + " roof</title>"), "convt's point on the roofline");
        assertTrue(html.contains("<title>dcgan_l2, oneDNN, own layout: 103 useful GFLOP/s"), "oneDNN's own-layout point");
        assertTrue(html.contains("1 thread: FMA peak 197 GFLOP/s, bandwidth 10.1 GB/s, ridge at 19.5 FLOP/byte"), html);
        // The network: 2 ms per image is 500 images/s and 209 MFLOP / 2 ms = 105 GFLOP/s; ONNX Runtime takes 1.5x as long.
        assertTrue(markdown.contains("## Whole network: DCGAN generator"), markdown);
        assertTrue(markdown.contains("| convt | 1 | 2 | 0 | 2 | 2.5 | 500 | 105 | 1.5× (1.5–1.5) | 0 |"), markdown);
        assertTrue(markdown.contains("| ONNX Runtime | 1 | 3 | 0 | 3 | 3.5 | 333 | 69.8 |  | 208 |"), markdown);
        // The allocation column is the calling thread's (peers.properties), not -prof gc's 4096 B; a
        // row without a measurement shows a dash.
        assertEquals(List.of("1240"), lastCells(markdown, "| dcgan_l2 | ONNX Runtime | 1 |"));
        assertEquals(List.of("–"), lastCells(markdown, "| dcgan_l2 | oneDNN, own layout | 1 |"));
        assertTrue(markdown.contains("| heap B/call, calling thread |"), markdown);
        assertTrue(markdown.contains("- heap B/call, calling thread: Java heap bytes the thread that makes the call"
                + " allocates per call, from ThreadMXBean.getCurrentThreadAllocatedBytes"), markdown);
        assertTrue(markdown.contains("209 MFLOP nominal per image"), markdown);
        // Cold start: medians over the three convt JVMs, the single ONNX Runtime one as it is.
        assertTrue(markdown.contains("| dcgan_l3 | convt | 3 | 67.1 | 9000 | 3000 | 600 | 7000 | 70 | 12000 |"), markdown);
        assertTrue(markdown.contains("| dcgan_l3 | onnx | 1 | 67.1 | 2400 | 3000 | 600 | 1.6 | 1.5 | 26 |"), markdown);
        assertTrue(markdown.contains("From coldstart.jsonl, written "), markdown);
        // Every chart carries the busy-machine banner, not only the notes.
        assertEquals(3, html.split("Busy machine: load average up to 3.5 on 2 cores", -1).length - 1, "banners");
        // Latency in microseconds for the 72-FLOP layer only; dcgan_l2 (67 MFLOP) is over the cap.
        assertTrue(markdown.contains("| layer | convt, 1 thread: p50 / p99 us | convt, 2 threads: p50 / p99 us |"), markdown);
        assertTrue(markdown.contains("| tiny_2x2_k3 | 0.5 / 2 | – |"), markdown);
        assertFalse(markdown.contains("| dcgan_l2 | 1950 / 2300 |"), markdown);
        assertTrue(markdown.contains("| 1.5× (oneDNN, NCHW) | 2.5× (oneDNN, NCHW) |"), markdown);
        assertTrue(markdown.contains("| 1 | 197 |"), markdown);
        assertTrue(markdown.contains("| ONNX Runtime | 9.8.7 (Java package, CPU) |"), markdown);
        assertTrue(markdown.contains("| dcgan_l2 | ConvTranspose node on rank-4 tensors | 1 thread: brg_test; src abcd;"
                + " 2 threads: brg_other; src abcd | 1 thread: jit_own; src acdb; 2 threads: – |"), markdown);
        assertTrue(markdown.contains("Test CPU"), markdown);
        assertTrue(markdown.contains("Warning: the load average was above the core count"), markdown);
        assertTrue(html.contains("<svg") && html.contains("</svg>") && html.contains("dcgan_l2"), html);
        assertFalse(html.contains("<script"), "no scripts");
        // Three charts, each naming the SVG namespace, and no other URL: nothing is fetched.
        assertEquals(3, html.split("http", -1).length - 1, "URLs");
        assertEquals(3, html.split("http://www.w3.org/2000/svg\"", -1).length - 1, "SVG namespaces");
        assertPlainTables(markdown);
    }

    /** @return the last cell of every Markdown row that starts with {@code prefix} */
    private static List<String> lastCells(String markdown, String prefix) {
        return Arrays.stream(markdown.split("\n")).filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(l.lastIndexOf('|', l.length() - 2) + 1, l.length() - 1).strip()).toList();
    }

    /** Every Markdown table is a plain pipe table: each row has its header's number of cells. */
    private static void assertPlainTables(String markdown) {
        int columns = -1;
        int tables = 0;
        for (String line : markdown.split("\n")) {
            if (!line.startsWith("|")) {
                columns = -1;
                continue;
            }
            assertTrue(line.endsWith(" |") || line.endsWith(":|") || line.endsWith("-|"), line);
            int cells = line.split("\\|", -1).length - 2;
            if (columns < 0) {
                columns = cells;
                tables++;
            } else {
                assertEquals(columns, cells, line);
            }
        }
        assertTrue(tables >= 12, tables + " tables");
    }

    private static String coldStart(String implementation, double toFirst, double firstCall, double steady,
            double toSteady) {
        return String.format(Locale.ROOT, "{\"mode\": \"%s\", \"implementation\": \"%s\", \"layer\": \"dcgan_l3\","
                + " \"mflop\": 67.1, \"setup_ms\": 600.00, \"first_call_ms\": %s, \"process_start_to_first_result_ms\": %s,"
                + " \"process_cpu_at_first_result_ms\": 3000, \"steady_ms\": %s, \"first_over_steady\": 100.0,"
                + " \"calls_to_steady\": 40, \"time_to_steady_ms\": %s, \"calls\": 60}", implementation, implementation,
                firstCall, toFirst, steady, toSteady);
    }
}
