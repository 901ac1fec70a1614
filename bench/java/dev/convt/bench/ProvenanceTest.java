package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache description, read from a sysfs-like tree. */
class ProvenanceTest {

    private static void cache(Path dir, String index, String level, String type, String size, String shared)
            throws Exception {
        Path d = Files.createDirectories(dir.resolve(index));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("shared_cpu_list"), shared + "\n");
    }

    @Test
    void describesEachCacheLevel(@TempDir Path dir) throws Exception {
        cache(dir, "index0", "1", "Data", "48K", "0");
        cache(dir, "index1", "1", "Instruction", "32K", "0");
        cache(dir, "index2", "2", "Unified", "1024K", "0");
        cache(dir, "index3", "3", "Unified", "32768K", "0-1");
        Files.writeString(dir.resolve("uevent"), "");
        assertEquals("L1d 48K (shared by CPUs 0), L1i 32K (shared by CPUs 0), L2 1024K (shared by CPUs 0),"
                + " L3 32768K (shared by CPUs 0-1)", Provenance.caches(dir));
    }

    @Test
    void aMissingTreeIsUnknown(@TempDir Path dir) {
        assertEquals(Provenance.UNKNOWN, Provenance.caches(dir.resolve("absent")));
    }
}
