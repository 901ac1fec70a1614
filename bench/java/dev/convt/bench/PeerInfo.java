package dev.convt.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What the benchmark forks report beside JMH's timings (the peers' versions and the implementation
 * each chose per layer, every implementation's allocation per call on the calling thread from
 * {@link CallAllocation}), carried to {@link BenchReport}: each fork writes its own
 * file into the directory named by {@link #DIRECTORY_PROPERTY}, and {@link BenchSuite} merges them
 * into {@value #FILE} beside JMH's results.
 */
final class PeerInfo {

    /** System property naming the directory forks write into; unset (JMH run by hand): nothing is recorded. */
    static final String DIRECTORY_PROPERTY = "convt.bench.peerInfo";
    /** The merged file in the results directory. */
    static final String FILE = "peers.properties";

    private static final Properties RECORDED = new Properties();

    private PeerInfo() {}

    /**
     * Records one fact for the report; a later value for the same key replaces the earlier one.
     *
     * @param key e.g. {@code onednn.nchw.dcgan_l2.1}
     * @param value what the peer reported
     */
    static synchronized void record(String key, String value) {
        String dir = System.getProperty(DIRECTORY_PROPERTY);
        if (dir == null) {
            return;
        }
        RECORDED.setProperty(key, value);
        Path file = Path.of(dir, "fork-" + ProcessHandle.current().pid() + ".properties");
        try {
            // Written beside the target and renamed, so the merge never reads half a file.
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                RECORDED.store(out, null);
            }
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param dir the directory the forks wrote into
     * @return everything they recorded
     * @throws IOException if a file cannot be read
     */
    static Properties merge(Path dir) throws IOException {
        Properties all = new Properties();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".properties")).sorted().toList()) {
                all.putAll(read(file));
            }
        }
        return all;
    }

    /**
     * @param file a properties file
     * @return its contents, or none if it does not exist (results from before peers were recorded)
     * @throws IOException if it exists but cannot be read
     */
    static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            }
        }
        return p;
    }
}
