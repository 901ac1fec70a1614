package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The kernels run with the JVM's preferred species; the build runs their tests again with
 * {@code -XX:MaxVectorSize} of 16 and 32 bytes. This checks those runs really use the smaller
 * vectors, so they test what they claim to (the property is set only in those runs).
 */
class VectorLengthTest {

    @Test
    @EnabledIfSystemProperty(named = "convt.test.vectorBytes", matches = "\\d+")
    void kernelSpeciesHasTheVectorSizeTheRunAskedFor() {
        int bytes = Integer.getInteger("convt.test.vectorBytes");
        assertEquals(bytes, TileKernel.SPECIES.vectorByteSize());
        assertEquals(bytes / Float.BYTES, TileKernel.LANES);
    }
}
