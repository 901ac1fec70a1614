package dev.convt.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The property runner and its source: seeds that replay, boundary values, shrinking, reports. */
class PropertyCheckTest {

    @Test
    void aSeededSourceGivesWhatSplittableRandomGives() {
        Source s = Source.of(12345);
        SplittableRandom r = new SplittableRandom(12345);
        for (int i = 0; i < 1000; i++) {
            assertEquals(r.nextInt(i + 1), s.nextInt(i + 1));
            assertEquals(r.nextBoolean(), s.nextBoolean());
            assertEquals(r.nextDouble(), s.nextDouble());
            assertEquals(r.nextLong(), s.nextLong());
        }
    }

    @Test
    void replayingTheRecordedChoicesDrawsTheSameValues() {
        Source s = Source.forTry(99);
        List<Long> drawn = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            drawn.add(s.between(-5L, 1L << 40));
            drawn.add((long) s.anyInt());
            drawn.add(s.anyLong());
            drawn.add((long) s.between(Integer.MIN_VALUE, -7));
        }
        Source again = Source.replaying(s.choices());
        for (int i = 0; i < 200; i++) {
            assertEquals(drawn.get(4 * i), again.between(-5L, 1L << 40));
            assertEquals(drawn.get(4 * i + 1), (long) again.anyInt());
            assertEquals(drawn.get(4 * i + 2), again.anyLong());
            assertEquals(drawn.get(4 * i + 3), (long) again.between(Integer.MIN_VALUE, -7));
        }
    }

    @Test
    void triesMixInTheBoundariesOfEachRange() {
        Set<Integer> seen = new HashSet<>();
        Set<Long> longs = new HashSet<>();
        PropertyCheck.forAll(s -> new long[] {s.between(-1000, 1_000_000), s.anyLong()}).tries(3000).check(v -> {
            seen.add((int) v[0]);
            longs.add(v[1]);
        });
        assertTrue(seen.containsAll(List.of(-1000, -999, -1, 0, 1, 999_999, 1_000_000)), "boundaries drawn: " + seen);
        assertTrue(longs.containsAll(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L, Long.MAX_VALUE - 1,
                Long.MAX_VALUE)), "long boundaries drawn");
    }

    @Test
    void aFailureIsShrunkToTheSmallestFailingInput() {
        for (int run = 0; run < 20; run++) {
            anIntIsShrunkOnce();
        }
    }

    private static void anIntIsShrunkOnce() {
        AssertionError e = assertThrows(AssertionError.class, () -> PropertyCheck.forAll(s -> s.between(0, 1_000_000))
                .tries(100).check(v -> assertTrue(v < 1000, "too big: " + v)));
        assertTrue(e.getMessage().contains("shrunk in") && e.getMessage().contains("to: 1000\n"), e.getMessage());
        assertTrue(e.getCause().getMessage().contains("too big: 1000"), e.getCause().getMessage());
    }

    @Test
    void aListIsShrunkToTheOneElementThatFails() {
        for (int run = 0; run < 20; run++) {
            aListIsShrunkOnce();
        }
    }

    private static void aListIsShrunkOnce() {
        Gen<List<Integer>> lists = s -> s.list(0, 20, t -> t.between(0, 100));
        AssertionError e = assertThrows(AssertionError.class, () -> PropertyCheck.forAll(lists).tries(1000)
                .check(l -> assertTrue(l.stream().allMatch(x -> x <= 50))));
        assertTrue(e.getMessage().contains("to: [51]\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith("PropertyCheckTest#aListIsShrunkOnce failed"), e.getMessage());
    }

    @Test
    void theReportedSeedReplaysTheFailingTry() {
        Gen<Long> gen = s -> s.between(0L, 1L << 40);
        AssertionError e = assertThrows(AssertionError.class, () -> PropertyCheck.forAll(gen).tries(10_000)
                .check(v -> assertTrue(v % 97 != 5)));
        Matcher m = Pattern.compile("this try's seed (-?[0-9]+)\\)\n  input: ([0-9]+)\n").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        assertTrue(e.getMessage().contains("-Dconvt.property.replay=" + m.group(1)), e.getMessage());
        assertEquals(Long.parseLong(m.group(2)), gen.draw(Source.forTry(Long.parseLong(m.group(1)))));
        assertEquals(5, Long.parseLong(m.group(2)) % 97);
    }

    @Test
    void outcomesAreCounted() {
        Map<String, Long> outcomes = PropertyCheck.forAll(Source::nextBoolean).tries(400).collect(b -> b ? "yes" : "no");
        assertEquals(400, outcomes.get("yes") + outcomes.get("no"));
        assertEquals(100.0 * outcomes.get("yes") / 400, PropertyCheck.percent(outcomes, "yes"));
        assertTrue(outcomes.get("yes") > 100 && outcomes.get("no") > 100, outcomes.toString());
    }
}
