package dev.convt.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Where a suite run's numbers came from, for {@link BenchSuite}'s machine file: the commit and
 * whether the tree had changes, convt's version, and what the CPU is beyond its model name.
 * Whatever cannot be found is recorded as {@value #UNKNOWN}, so a run outside a git checkout or
 * off Linux still reports.
 */
final class Provenance {

    static final String UNKNOWN = "unknown";

    private Provenance() {}

    /**
     * Adds {@code git.commit}, {@code git.dirty}, {@code convt.version}, {@code cpu.vendor},
     * {@code cpu.family}, {@code cpu.model}, {@code cpu.stepping} and {@code cpu.caches}.
     *
     * @param p the machine description to add to
     * @param projectDir the checkout the suite was built from
     */
    static void describe(Properties p, Path projectDir) {
        p.setProperty("git.commit", git(projectDir, "rev-parse", "HEAD"));
        String status = git(projectDir, "status", "--porcelain", "--untracked-files=no");
        p.setProperty("git.dirty", status.equals(UNKNOWN) ? UNKNOWN
                : status.isEmpty() ? "no" : "yes (" + status.lines().count() + " changed files)");
        p.setProperty("convt.version", convtVersion(projectDir));
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        for (String[] field : new String[][] {{"cpu.vendor", "vendor_id"}, {"cpu.family", "cpu family"},
                {"cpu.model", "model"}, {"cpu.stepping", "stepping"}}) {
            p.setProperty(field[0], cpuinfo.stream().filter(l -> l.startsWith(field[1] + "\t") || l.startsWith(field[1] + " "))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(UNKNOWN));
        }
        p.setProperty("cpu.caches", caches(Path.of("/sys/devices/system/cpu/cpu0/cache")));
    }

    /** @return the first line git prints, "" if it prints nothing, or {@value #UNKNOWN} if git fails */
    private static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        try {
            Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!git.waitFor(10, TimeUnit.SECONDS) || git.exitValue() != 0) {
                return UNKNOWN;
            }
            return out;
        } catch (IOException e) {
            return UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        }
    }

    /** @return the version Maven's jar plugin recorded in the build this run uses */
    private static String convtVersion(Path projectDir) {
        Properties pom = new Properties();
        Path file = projectDir.resolve("target/maven-archiver/pom.properties");
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            pom.load(in);
            return pom.getProperty("version", UNKNOWN);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** @return e.g. {@code L1d 32K, L1i 32K, L2 1024K, L3 36608K (shared by CPUs 0-1)} for CPU 0 */
    static String caches(Path cacheDir) {
        List<String> caches = new ArrayList<>();
        try (Stream<Path> indexes = Files.list(cacheDir)) {
            for (Path index : indexes.filter(d -> d.getFileName().toString().startsWith("index")).sorted().toList()) {
                String type = read(index.resolve("type"));
                String name = "L" + read(index.resolve("level"))
                        + (type.equals("Data") ? "d" : type.equals("Instruction") ? "i" : "");
                caches.add(name + " " + read(index.resolve("size")) + " (shared by CPUs "
                        + read(index.resolve("shared_cpu_list")) + ")");
            }
        } catch (IOException e) {
            return UNKNOWN;
        }
        return caches.isEmpty() ? UNKNOWN : String.join(", ", caches);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).strip();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
