package dev.convt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Tests run on the class path, so the module descriptor is checked by reading it. */
class ModuleDescriptorTest {

    @Test
    void exportsTheApiTheReferencesAndNpyButNotTheKernels() throws Exception {
        // The descriptor beside convt's own classes: a bare class-path lookup finds the JDK's.
        Path classes = Path.of(ConvTransposeSpec.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("dev.convt", d.name());
        Set<String> exported = d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertEquals(Set.of("dev.convt", "dev.convt.reference", "dev.convt.npy"), exported);
        assertEquals(Set.of("java.base", "jdk.incubator.vector", "jdk.management"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    }
}
