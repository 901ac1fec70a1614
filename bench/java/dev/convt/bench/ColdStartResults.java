package dev.convt.bench;

import dev.convt.bench.coldstart.ColdStartSuite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openjdk.jmh.util.ListStatistics;

/**
 * The cold-start measurements {@link ColdStartSuite} wrote into the results directory (one JSON
 * line per fresh JVM), as medians per layer and mode for the report.
 *
 * @param written when the file was last written (ISO-8601, UTC), so a stale file shows as one
 * @param runs per layer and mode ("layer mode"), the measurements of each fresh JVM in order
 */
record ColdStartResults(String written, Map<String, List<Map<String, Object>>> runs) {

    /** The figures the table shows, in its column order: JSON key, then column title. */
    private static final List<List<String>> COLUMNS = List.of(
            List.of("process_start_to_first_result_ms", "JVM start to first result, ms"),
            List.of("process_cpu_at_first_result_ms", "CPU time to first result, ms"),
            List.of("setup_ms", "setup, ms"),
            List.of("first_call_ms", "first call, ms"),
            List.of("steady_ms", "steady call, ms"),
            List.of("time_to_steady_ms", "time to steady state, ms"));

    /**
     * @param dir the results directory
     * @return its cold-start results; empty if {@link ColdStartSuite#RESULTS} is not there
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if a line is not a cold-start measurement
     */
    @SuppressWarnings("unchecked")
    static Optional<ColdStartResults> read(Path dir) throws IOException {
        Path file = dir.resolve(ColdStartSuite.RESULTS);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            if (!(Json.parse(line) instanceof Map<?, ?> run) || !run.containsKey("layer") || !run.containsKey("mode")) {
                throw new IllegalArgumentException(file + ": not a cold-start measurement: " + line);
            }
            runs.computeIfAbsent(run.get("layer") + " " + run.get("mode"), k -> new ArrayList<>())
                    .add((Map<String, Object>) run);
        }
        String written = Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS)
                .atOffset(ZoneOffset.UTC).toString();
        return Optional.of(new ColdStartResults(written, runs));
    }

    /** @return one row per layer and mode: medians over the fresh JVMs */
    ReportTable table() {
        List<String> header = new ArrayList<>(List.of("layer", "mode", "JVMs", "MFLOP/call"));
        COLUMNS.forEach(c -> header.add("median " + c.get(1)));
        List<List<String>> rows = new ArrayList<>();
        runs.forEach((key, measurements) -> {
            List<String> row = new ArrayList<>(List.of(key.split(" ")[0], key.split(" ")[1],
                    Integer.toString(measurements.size()), Numbers.significant(median(measurements, "mflop"))));
            COLUMNS.forEach(c -> row.add(Numbers.significant(median(measurements, c.get(0)))));
            rows.add(row);
        });
        List<Boolean> numeric = new ArrayList<>(List.of(false, false));
        header.subList(2, header.size()).forEach(h -> numeric.add(true));
        return new ReportTable(header, numeric, rows);
    }

    private static double median(List<Map<String, Object>> measurements, String key) {
        ListStatistics values = new ListStatistics();
        for (Map<String, Object> m : measurements) {
            Object v = m.get(key);
            if (v != null) {
                values.addValue(Json.number(v));
            }
        }
        return values.getN() == 0 ? Double.NaN : values.getPercentile(50);
    }
}
