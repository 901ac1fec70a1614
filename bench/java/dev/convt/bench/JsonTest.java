package dev.convt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsWhatJmhWrites() {
        Object value = Json.parse("""
                [ { "benchmark" : "a.B.c", "threads" : 2, "jvmArgs" : [ "-Xmx1g" ],
                    "primaryMetric" : { "score" : 1.5e-3, "scoreError" : "NaN", "ok" : true, "none" : null },
                    "secondaryMetrics" : { } , "text" : "tab\\there \\u00b7" } ]
                """);
        Map<?, ?> entry = (Map<?, ?>) ((List<?>) value).get(0);
        Map<?, ?> metric = (Map<?, ?>) entry.get("primaryMetric");
        assertEquals("a.B.c", entry.get("benchmark"));
        assertEquals(2.0, entry.get("threads"));
        assertEquals(List.of("-Xmx1g"), entry.get("jvmArgs"));
        assertEquals(0.0015, Json.number(metric.get("score")));
        assertTrue(Double.isNaN(Json.number(metric.get("scoreError"))));
        assertEquals(Boolean.TRUE, metric.get("ok"));
        assertTrue(metric.containsKey("none") && metric.get("none") == null);
        assertEquals(Map.of(), entry.get("secondaryMetrics"));
        assertEquals("tab\there \u00b7", entry.get("text"));
    }

    @Test
    void rejectsBrokenInput() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
    }
}
