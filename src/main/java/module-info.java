/**
 * convt: transposed convolution (ConvTranspose) in pure Java, on the Vector API and off-heap
 * memory. The API is {@link dev.convt}; {@link dev.convt.reference} holds the scalar references
 * that define the results, {@link dev.convt.npy} reads and writes NumPy {@code .npy} files.
 */
module dev.convt {
    requires jdk.incubator.vector;
    // The warm-up (ConvTransposeLayer.warmUp) counts what a thread allocates: com.sun.management.
    requires jdk.management;

    exports dev.convt;
    exports dev.convt.reference;
    exports dev.convt.npy;
}
