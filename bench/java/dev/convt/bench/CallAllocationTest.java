package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.bench.BenchResults.Implementation;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's allocation column: what one call allocates on the calling thread, and nothing else. */
class CallAllocationTest {

    /** Where an allocating call puts its array, so that no compiler can prove it dead. */
    private static volatile long[] kept;
    private static volatile long counter;

    @TempDir
    Path dir;

    private Properties recorded(Implementation implementation, Runnable call) throws Exception {
        System.setProperty(PeerInfo.DIRECTORY_PROPERTY, dir.toString());
        CallAllocation.record(implementation, "layer_x", 3, call::run);
        return PeerInfo.merge(dir);
    }

    @AfterEach
    void forgetDirectory() {
        System.clearProperty(PeerInfo.DIRECTORY_PROPERTY);
    }

    @Test
    void countsWhatTheCallAllocates() throws Exception {
        Properties p = recorded(Implementation.ONNX_RUNTIME, () -> kept = new long[1000]);
        double perCall = Double.parseDouble(p.getProperty("alloc.onnx_runtime.layer_x.3"));
        // 8000 bytes of elements plus the array header, at most a few words of it.
        assertTrue(perCall >= 8000 && perCall <= 8064, perCall + " bytes per call");
    }

    @Test
    void aCallThatAllocatesNothingCountsZero() throws Exception {
        Properties p = recorded(Implementation.CONVT, () -> counter++);
        assertEquals(0.0, Double.parseDouble(p.getProperty("alloc.convt.layer_x.3")));
    }

    @Test
    void otherThreadsAllocationsAreNotCounted() throws Exception {
        Properties p = recorded(Implementation.ONEDNN_NCHW, () -> {
            Thread worker = Thread.ofPlatform().unstarted(() -> kept = new long[100_000]);
            worker.start();
            try {
                worker.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // The worker's 800 kB is not the caller's; starting a thread costs the caller little.
        double perCall = Double.parseDouble(p.getProperty("alloc.onednn_nchw.layer_x.3"));
        assertTrue(perCall < 100_000, perCall + " bytes per call");
    }
}
