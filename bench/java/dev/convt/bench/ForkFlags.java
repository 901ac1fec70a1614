package dev.convt.bench;

/** JVM flags every benchmark fork needs, as constants so the {@code @Fork} annotations can use them. */
final class ForkFlags {

    private ForkFlags() {}

    /** The kernels and the FMA-peak benchmark use the incubating Vector API. */
    static final String VECTOR_API = "--add-modules=jdk.incubator.vector";
    /** ONNX Runtime loads its native library; without this JDK 25 warns on every fork. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
}
