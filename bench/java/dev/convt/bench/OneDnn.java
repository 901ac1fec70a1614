package dev.convt.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;

/**
 * The oneDNN library of the JavaCPP presets (OpenMP build) as the benchmark peer uses it: loaded
 * once per JVM, its version, and its thread count, which oneDNN takes from the OpenMP runtime it
 * was built with.
 */
final class OneDnn {

    /** The OpenMP runtime the presets bundle beside libdnnl. */
    private static final String OPENMP_LIBRARY = "libgomp.so.1";

    private static final OneDnn INSTANCE = new OneDnn();

    private final MethodHandle setNumThreads;
    private final MethodHandle getMaxThreads;
    private final String version;

    // Looking up and calling libgomp is native access, which the benchmark forks enable.
    @SuppressWarnings("restricted")
    private OneDnn() {
        Loader.load(dnnl.class);
        // The presets' primitive cache would hand a second primitive of the same shape the first
        // one's kernel, made for another thread count.
        dnnl.set_primitive_cache_capacity(0);
        // Look the functions up in the very file JavaCPP loaded: a system libgomp found by name
        // would keep its own thread setting, which oneDNN never reads.
        String path = Loader.getLoadedLibraries().entrySet().stream()
                .filter(e -> e.getKey().contains(OPENMP_LIBRARY) || e.getValue().endsWith("/" + OPENMP_LIBRARY))
                .map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new IllegalStateException("JavaCPP loaded no " + OPENMP_LIBRARY + ": "
                        + Loader.getLoadedLibraries()));
        SymbolLookup openMp = SymbolLookup.libraryLookup(Path.of(path), Arena.global());
        Linker linker = Linker.nativeLinker();
        setNumThreads = linker.downcallHandle(openMp.find("omp_set_num_threads").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
        getMaxThreads = linker.downcallHandle(openMp.find("omp_get_max_threads").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        dnnl_version_t v = dnnl.dnnl_version();
        version = v.major() + "." + v.minor() + "." + v.patch() + " (" + v.hash().getString() + ", "
                + (v.cpu_runtime() == dnnl.DNNL_RUNTIME_OMP ? "OpenMP" : "CPU runtime " + v.cpu_runtime()) + ", "
                + dnnl.get_effective_cpu_isa() + ")";
    }

    /** @return the loaded library */
    static OneDnn get() {
        return INSTANCE;
    }

    /** @return e.g. {@code 3.11.0 (hash, OpenMP, avx512_core_amx)} */
    String version() {
        return version;
    }

    /**
     * Sets the calling thread's OpenMP thread count, which oneDNN reads when it makes a primitive
     * and again when that thread executes one.
     *
     * @param threads at least 1
     * @throws IllegalStateException if OpenMP does not report the count back
     */
    void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " must be at least 1");
        }
        int now;
        try {
            setNumThreads.invokeExact(threads);
            now = (int) getMaxThreads.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("calling " + OPENMP_LIBRARY, t);
        }
        if (now != threads) {
            throw new IllegalStateException("omp_set_num_threads(" + threads + ") left omp_get_max_threads() at " + now);
        }
    }
}
