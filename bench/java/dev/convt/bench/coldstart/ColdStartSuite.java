package dev.convt.bench.coldstart;

import dev.convt.ConvTransposeGeometry;
import dev.convt.ConvTransposeSpec;
import dev.convt.bench.SuiteLayer;
import dev.convt.npy.Npy;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Cold start, one fresh JVM per measurement, repeated and reported as medians (README, "Cold
 * start"). Two parts, chosen with {@code -Dpart=library|cli|all}:
 *
 * <ul>
 *   <li>{@code library}: {@link ColdStart} in a new JVM for convt without and with an AOT cache
 *       (trained on the same layers beforehand), each without and with
 *       {@link dev.convt.ConvTransposeLayer#warmUp()} (or its background form), and for ONNX
 *       Runtime; time to the first result and to the steady state. {@code -Dmodes} picks modes
 *       (default: all of convt, convt+warmup, convt+warmup+plan, convt+bgwarmup, convt+aot,
 *       convt+aot+warmup, onnx).
 *   <li>{@code cli}: wall time of {@code ./convt run} and {@code ./convt run --reference} on every
 *       suite layer, from generated {@code .npy} files; {@code -Dcli.modes} lists the launcher
 *       settings to compare, as {@code name=ENV=VALUE} ({@code jit=CONVT_AOT=0} by default against
 *       {@code aot=CONVT_AOT=1}); {@code -Dcli.layers} picks layers (default: all).
 * </ul>
 *
 * <p>Other properties: {@code -Dreps=3}, {@code -Dlayers=...} (library part), {@code -Dout=target/coldstart};
 * {@code -Dbench.results=DIR} also writes the library part's JSON lines to {@code DIR/}{@value #RESULTS},
 * where the benchmark report ({@code dev.convt.bench.BenchReport}) finds and shows them.
 * Run from the project directory after {@code ./mvnw -DskipTests test-compile}, with the test
 * class path (see the README for the command).
 */
public final class ColdStartSuite {

    /** The library part's measurements, one JSON line each, in the results directory. */
    public static final String RESULTS = "coldstart.jsonl";

    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\": (-?[0-9.]+)");

    private ColdStartSuite() {}

    /**
     * @param args none; see the class comment for the properties
     * @throws Exception if a child fails
     */
    public static void main(String[] args) throws Exception {
        int reps = Integer.getInteger("reps", 3);
        Path out = Path.of(System.getProperty("out", "target/coldstart"));
        Files.createDirectories(out);
        String part = System.getProperty("part", "all");
        if (part.equals("library") || part.equals("all")) {
            library(out, reps, List.of(System.getProperty("layers", "dcgan_l3,unet_up,hifigan_up1,dcgan_268m")
                    .split(",")));
        }
        if (part.equals("cli") || part.equals("all")) {
            cli(out, reps, System.getProperty("cli.modes", "jit=CONVT_AOT=0,aot=CONVT_AOT=1"));
        }
    }

    // ------------------------------------------------------------------ library

    private static void library(Path out, int reps, List<String> layers) throws Exception {
        // An AOT cache takes classes from JAR files only, so the two class directories become jars.
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                Path jar = out.resolve(p.getFileName() + ".jar");
                run(List.of(tool("jar"), "--create", "--file", jar.toString(), "-C", p.toString(), "."), Map.of());
                classPath.add(jar.toString());
            } else {
                classPath.add(entry);
            }
        }
        String cp = String.join(File.pathSeparator, classPath);
        Path cache = out.resolve("coldstart.aot");
        Files.deleteIfExists(cache);
        // Training: every layer, in one JVM, with the same class path as the measured runs, and
        // the warm-up, so that the cache also serves the modes that call it.
        run(child(cp, List.of("-XX:AOTCacheOutput=" + cache), "convt-warm", String.join(",", layers)), Map.of());
        Map<String, List<String>> all = new LinkedHashMap<>();
        all.put("convt", List.of());
        all.put("convt+warmup", List.of());
        all.put("convt+warmup+plan", List.of());
        all.put("convt+bgwarmup", List.of());
        all.put("convt+aot", List.of("-XX:AOTCache=" + cache));
        all.put("convt+aot+warmup", List.of("-XX:AOTCache=" + cache));
        all.put("onnx", List.of());
        Map<String, List<String>> modes = new LinkedHashMap<>();
        for (String mode : System.getProperty("modes", String.join(",", all.keySet())).split(",")) {
            modes.put(mode, Objects.requireNonNull(all.get(mode), () -> "unknown mode " + mode + "; known: " + all.keySet()));
        }
        Map<String, List<Map<String, Double>>> results = new TreeMap<>();
        String reportDir = System.getProperty("bench.results");
        List<String> lines = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            for (String layer : layers) {
                for (Map.Entry<String, List<String>> mode : modes.entrySet()) {
                    String implementation = mode.getKey().startsWith("onnx") ? "onnx"
                            : mode.getKey().endsWith("bgwarmup") ? "convt-bg"
                            : mode.getKey().endsWith("warmup+plan") ? "convt-warm-plan"
                            : mode.getKey().endsWith("warmup") ? "convt-warm" : "convt";
                    String line = run(child(cp, mode.getValue(), implementation, layer), Map.of()).strip();
                    String tagged = "{\"mode\": \"" + mode.getKey() + "\", " + line.substring(1);
                    System.out.println(tagged);
                    lines.add(tagged);
                    results.computeIfAbsent(layer + " " + mode.getKey(), k -> new ArrayList<>()).add(numbers(line));
                }
            }
        }
        if (reportDir != null) {
            Path file = Files.createDirectories(Path.of(reportDir)).resolve(RESULTS);
            Files.write(file, lines, StandardCharsets.UTF_8);
            System.out.println("Wrote " + file);
        }
        System.out.println();
        System.out.println("| layer | mode | MFLOP | JVM start to first result (ms) | CPU time to first result (ms)"
                + " | setup (ms) | first call (ms) | steady (ms) | first/steady | time to steady (ms) |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        results.forEach((key, runs) -> System.out.printf(Locale.ROOT,
                "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.1f | %.2f | %.1f | %.0f |%n", key.split(" ")[0],
                key.split(" ")[1], median(runs, "mflop"), median(runs, "process_start_to_first_result_ms"),
                median(runs, "process_cpu_at_first_result_ms"), median(runs, "setup_ms"), median(runs, "first_call_ms"),
                median(runs, "steady_ms"), median(runs, "first_over_steady"), median(runs, "time_to_steady_ms")));
    }

    private static List<String> child(String classPath, List<String> flags, String... args) {
        List<String> command = new ArrayList<>(List.of(tool("java"), "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xlog:disable", "-Xlog:all=warning:stderr"));
        command.addAll(flags);
        command.addAll(List.of("-cp", classPath, ColdStart.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    // ------------------------------------------------------------------ command line

    private static void cli(Path out, int reps, String modeList) throws Exception {
        Path data = Files.createDirectories(out.resolve("npy"));
        Map<String, Map<String, String>> modes = new LinkedHashMap<>();
        for (String mode : modeList.split(",")) {
            String[] parts = mode.split("=", 3);
            modes.put(parts[0], Map.of(parts[1], parts[2]));
        }
        // The launcher's first run of each setting builds what it caches; it is not measured.
        Path script = Path.of("convt").toAbsolutePath();
        for (Map<String, String> env : modes.values()) {
            run(List.of(script.toString(), "--version"), env);
        }
        List<SuiteLayer> layers = System.getProperty("cli.layers") == null ? List.of(SuiteLayer.values())
                : Arrays.stream(System.getProperty("cli.layers").split(",")).map(SuiteLayer::byId).toList();
        Map<String, List<Double>> results = new TreeMap<>();
        for (int rep = 0; rep < reps; rep++) {
            for (SuiteLayer layer : layers) {
                List<String> args = arguments(layer, data);
                for (Map.Entry<String, Map<String, String>> mode : modes.entrySet()) {
                    for (boolean reference : new boolean[] {false, true}) {
                        List<String> command = new ArrayList<>(List.of(script.toString()));
                        command.addAll(args);
                        if (reference) {
                            command.add("--reference");
                        }
                        long start = System.nanoTime();
                        run(command, mode.getValue());
                        double ms = (System.nanoTime() - start) / 1e6;
                        String key = layer.id() + " " + mode.getKey() + (reference ? " --reference" : " run");
                        System.out.printf(Locale.ROOT, "{\"layer\": \"%s\", \"mode\": \"%s\", \"reference\": %s,"
                                + " \"wall_ms\": %.0f}%n", layer.id(), mode.getKey(), reference, ms);
                        results.computeIfAbsent(key, k -> new ArrayList<>()).add(ms);
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| layer | launcher | run (ms) | run --reference (ms) |");
        System.out.println("|---|---|---:|---:|");
        for (SuiteLayer layer : layers) {
            for (String mode : modes.keySet()) {
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f |%n", layer.id(), mode,
                        median(results.get(layer.id() + " " + mode + " run")),
                        median(results.get(layer.id() + " " + mode + " --reference")));
            }
        }
    }

    /** Writes the layer's operands once and returns the {@code run} arguments for them. */
    private static List<String> arguments(SuiteLayer layer, Path data) throws IOException {
        ConvTransposeSpec spec = layer.spec();
        ConvTransposeGeometry g = layer.geometry();
        SplittableRandom random = new SplittableRandom(layer.id().hashCode());
        Path x = data.resolve(layer.id() + "-x.npy");
        Path w = data.resolve(layer.id() + "-w.npy");
        Path b = data.resolve(layer.id() + "-b.npy");
        if (!Files.exists(b)) {
            Npy.write(x, uniform(random, g.inputCount()), layer.inputShape());
            Npy.write(w, uniform(random, spec.weightCount()), spec.weightShape());
            Npy.write(b, uniform(random, spec.outChannels()), spec.outChannels());
        }
        return List.of("run", "--x", x.toString(), "--w", w.toString(), "--b", b.toString(), "--out",
                data.resolve(layer.id() + "-y.npy").toString(), "--groups", String.valueOf(spec.groups()),
                "--stride", axes(spec, ConvTransposeSpec.AxisRule::stride),
                "--dilation", axes(spec, ConvTransposeSpec.AxisRule::dilation),
                "--output-padding", axes(spec, ConvTransposeSpec.AxisRule::outputPadding),
                "--pads", axes(spec, ConvTransposeSpec.AxisRule::padBegin) + ","
                        + axes(spec, ConvTransposeSpec.AxisRule::padEnd));
    }

    /** @return {@code field} of each spatial axis, comma-separated in tensor order, as {@code run} takes it */
    private static String axes(ConvTransposeSpec spec, ToIntFunction<ConvTransposeSpec.AxisRule> field) {
        return spec.axes().stream().map(r -> String.valueOf(field.applyAsInt(r))).collect(Collectors.joining(","));
    }

    private static float[] uniform(SplittableRandom random, long count) {
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    // ------------------------------------------------------------------ helpers

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    /** Runs a command to its end and returns its stdout; fails with its stderr if it fails. */
    private static String run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Path err = Files.createTempFile("coldstart", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        String stderr = Files.readString(err);
        Files.delete(err);
        if (code != 0) {
            throw new IllegalStateException("exit code " + code + " from " + command + ": " + stderr);
        }
        return stdout;
    }

    private static Map<String, Double> numbers(String json) {
        Map<String, Double> values = new LinkedHashMap<>();
        Matcher m = NUMBER.matcher(json);
        while (m.find()) {
            values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }

    private static double median(List<Map<String, Double>> runs, String key) {
        return median(runs.stream().map(r -> r.get(key)).toList());
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
