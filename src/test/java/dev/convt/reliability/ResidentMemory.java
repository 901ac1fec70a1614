package dev.convt.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory from Linux's /proc. Native segments of an {@code Arena} do not
 * count against {@code -XX:MaxDirectMemorySize}, so the probes measure what a call adds to the
 * resident set instead.
 */
final class ResidentMemory {

    private ResidentMemory() {}

    /**
     * Resets the peak resident set size to the current one.
     *
     * @return the current resident set size in bytes
     */
    static long resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset the peak resident set size", e);
        }
        return current();
    }

    /** {@return the resident set size in bytes} */
    static long current() {
        return field("VmRSS:");
    }

    /** {@return the peak resident set size in bytes since the last {@link #resetPeak}} */
    static long peak() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + name + " in /proc/self/status");
    }
}
