/**
 * convt: transposed convolution (ConvTranspose) in pure Java, on the Vector API and off-heap
 * memory. The API is {@link dev.convt}.
 */
module dev.convt {
    requires jdk.incubator.vector;

    exports dev.convt;
}
