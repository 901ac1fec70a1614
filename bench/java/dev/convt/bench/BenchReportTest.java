package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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

    private static String layerParams(int threads) {
        return "\"layer\" : \"" + LAYER.id() + "\", \"threads\" : \"" + threads + "\"";
    }

    private static String alloc(double bytes) {
        return "\"gc.alloc.rate.norm\" : { \"score\" : " + bytes + ", \"scoreUnit\" : \"B/op\" }";
    }

    @Test
    void writesBothReportsWithSpeedupsAndPeak(@TempDir Path dir) throws Exception {
        // 16 lanes: one FMA-peak call is 2*16*12*1024 FLOP; the fastest iteration, 0.002 ms,
        // makes a peak of 196.608 GFLOP/s.
        List<String> entries = List.of(
                entry(FmaPeakBenchmark.class, "fmaChains", 1, "", 0.0025, 0.002, "0.0001", ""),
                entry(FmaPeakBenchmark.class, "fmaChains", 2, "", 0.004, "\"NaN\"", ""),
                entry(ConvtBenchmark.class, "forward", 1, layerParams(1), 2.0, "0.1", alloc(0)),
                entry(ConvtBenchmark.class, "forward", 1, layerParams(2), 1.0, "0.1", alloc(96)),
                entry(OnnxRuntimeBenchmark.class, "run", 1, layerParams(1), 4.0, "0.2", alloc(1700)),
                entry(OnnxRuntimeBenchmark.class, "run", 1, layerParams(2), 3.0, "0.2", alloc(1600)),
                entry(ReferenceBenchmark.class, "forward", 1, "\"layer\" : \"" + LAYER.id() + "\"", 100.0, "5", ""));
        Files.writeString(dir.resolve(BenchSuite.RESULTS_JSON), entries.stream().collect(Collectors.joining(",\n", "[\n", "\n]")));
        Files.writeString(dir.resolve(BenchSuite.MACHINE_PROPERTIES), """
                cpu=Test CPU
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

        BenchReport.main(new String[] {dir.toString()});

        String markdown = Files.readString(dir.resolve(BenchReport.MARKDOWN));
        String html = Files.readString(dir.resolve(BenchReport.HTML));
        // convt at 1 thread: 67.1 MFLOP in 2 ms = 33.6 GFLOP/s, 50x the reference, 2x ONNX Runtime.
        assertTrue(markdown.contains("| dcgan_l2 | convt | 1 | 2 | 0.1 | 33.6 |"), markdown);
        assertTrue(markdown.contains("| 17.1 % | 50× | 2× | 0 |"), markdown);
        assertTrue(markdown.contains("| 1 | 197 |"), markdown);
        assertTrue(markdown.contains("Test CPU"), markdown);
        assertTrue(markdown.contains("Warning: the load average was above the core count"), markdown);
        assertTrue(html.contains("<svg") && html.contains("</svg>") && html.contains("dcgan_l2"), html);
        assertFalse(html.contains("<script"), "no scripts");
        assertEquals(1, html.split("http", -1).length - 1, "the only URL is the SVG namespace");
    }
}
