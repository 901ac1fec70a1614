package dev.convt.cli;

import dev.convt.ConvTransposeSpec;
import dev.convt.npy.Npy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The training run of {@code ./convt}'s AOT cache (JDK 25, {@code -XX:AOTCacheOutput}): runs
 * {@code convt run} through {@link Main#run} on small layers of every kind the kernels plan for
 * (the suite's shapes, scaled down), fast path and reference, so that the cache holds the classes
 * they load and the method profiles that let the JIT compile the kernels as soon as a real run
 * starts.
 */
final class AotTraining {

    /** Calls per layer: enough for the kernels' loops to be profiled and compiled. */
    private static final int CALLS = 12;

    private AotTraining() {}

    /**
     * Runs the training in a new directory under {@code args[0]}, then deletes it.
     *
     * @param args the directory to work in
     * @throws IOException if the operands cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of(args[0])), "convt-aot-");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try {
            int layer = 0;
            for (ConvTransposeSpec.Builder spec : layers()) {
                List<String> run = operands(dir, "l" + layer++, spec.build());
                for (int call = 0; call < CALLS; call++) {
                    check(Main.run(run.toArray(String[]::new), quiet, System.err));
                }
                List<String> reference = new ArrayList<>(run);
                reference.add("--reference");
                check(Main.run(reference.toArray(String[]::new), quiet, System.err));
            }
            check(Main.run(new String[] {"explain", "--example", "3"}, quiet, System.err));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The suite's kinds of layer (dev.convt.bench.SuiteLayer), with fewer channels and pixels. */
    private static List<ConvTransposeSpec.Builder> layers() {
        return List.of(
                ConvTransposeSpec.builder(64, 32, 4, 4),
                ConvTransposeSpec.builder(64, 32, 4, 4).stride(2).padding(1),
                ConvTransposeSpec.builder(32, 3, 4, 4).stride(2).padding(1),
                ConvTransposeSpec.builder(64, 32, 2, 2).stride(2),
                ConvTransposeSpec.builder(32, 16, 3, 3).stride(2).padding(1).outputPadding(1),
                ConvTransposeSpec.builder(8, 8, 16, 16).stride(8).padding(4).groups(8),
                ConvTransposeSpec.builder(16, 1, 9, 9).stride(3).padding(4).outputPadding(2),
                ConvTransposeSpec.builder1d(64, 32, 16).stride(8).padding(4),
                ConvTransposeSpec.builder(16, 16, 3, 3).stride(2).padding(2).outputPadding(1).dilation(2).groups(4),
                ConvTransposeSpec.builder(1, 1, 3, 3));
    }

    /** Writes random operands for {@code spec} and returns the {@code run} arguments for them. */
    private static List<String> operands(Path dir, String name, ConvTransposeSpec spec) throws IOException {
        SplittableRandom random = new SplittableRandom(name.hashCode());
        long[] input = spec.isOneDimensional() ? new long[] {1, spec.inChannels(), 32}
                : new long[] {1, spec.inChannels(), 8, 8};
        Path x = dir.resolve(name + "-x.npy");
        Path w = dir.resolve(name + "-w.npy");
        Path b = dir.resolve(name + "-b.npy");
        Npy.write(x, uniform(random, spec.geometry(input).inputCount()), input);
        Npy.write(w, uniform(random, spec.weightCount()), spec.weightShape());
        Npy.write(b, uniform(random, spec.outChannels()), spec.outChannels());
        boolean oneD = spec.isOneDimensional();
        return List.of("run", "--x", x.toString(), "--w", w.toString(), "--b", b.toString(), "--out",
                dir.resolve(name + "-y.npy").toString(), "--groups", String.valueOf(spec.groups()),
                "--stride", oneD ? "" + spec.strideW() : spec.strideH() + "," + spec.strideW(),
                "--dilation", oneD ? "" + spec.dilationW() : spec.dilationH() + "," + spec.dilationW(),
                "--output-padding", oneD ? "" + spec.outputPaddingW() : spec.outputPaddingH() + "," + spec.outputPaddingW(),
                "--pads", oneD ? spec.padLeft() + "," + spec.padRight()
                        : spec.padTop() + "," + spec.padLeft() + "," + spec.padBottom() + "," + spec.padRight(),
                "--activation", "relu");
    }

    private static void check(int code) {
        if (code != Main.OK) {
            throw new IllegalStateException("a training run failed; see the error above");
        }
    }

    private static float[] uniform(SplittableRandom random, long count) {
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }
}
