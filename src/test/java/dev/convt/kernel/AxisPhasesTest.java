package dev.convt.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convt.ConvTransposeGeometry;
import dev.convt.testing.Gen;
import dev.convt.testing.PropertyCheck;
import org.junit.jupiter.api.Test;

/**
 * {@link AxisPhases} against the definition it decomposes: along an axis, output {@code o} receives
 * tap {@code k} from input {@code i} exactly when {@code o + padBegin = i*stride + k*dilation}
 * with {@code 0 <= i < in}. The axes are drawn independently of any layer, so strides larger than
 * the output, kernels larger than the input and padding on either side all occur.
 */
class AxisPhasesTest {

    private record Draw(ConvTransposeGeometry.Axis axis, boolean shifted) {}

    /** An axis and a range {@code [q0, q1]} of family grid positions. */
    private record Span(Draw draw, int q0, int q1) {}

    private static final Gen<Draw> AXES = s -> new Draw(new ConvTransposeGeometry.Axis(s.between(1, 40),
            s.between(1, 120), s.between(1, 12), s.weighted(6, 1) == 0 ? s.between(1, 9) : s.pickInt(64, 1000),
            s.between(1, 5), s.between(-12, 40)), s.nextBoolean());

    @Test
    void everyReachablePairIsInItsPhaseOnceAndReadsItsInput() {
        PropertyCheck.forAll(AXES).tries(3000).check(d -> {
            ConvTransposeGeometry.Axis a = d.axis();
            AxisPhases p = AxisPhases.of(a, d.shifted());
            int s = a.stride();
            assertEquals(s, p.stride);
            assertEquals(Math.min(s, a.out()), p.phases);
            for (int o = 0; o < a.out(); o++) {
                int j = o % s;
                int q = o / s;
                assertEquals(j, p.phase(o));
                assertEquals(q, p.gridIndex(o));
                assertEquals(o, p.output(j, q));
                for (int k = 0; k < a.kernel(); k++) {
                    long full = (long) o + a.padBegin() - (long) k * a.dilation();
                    if (Math.floorMod(full, s) != 0 || full < 0 || full / s >= a.in()) {
                        continue;
                    }
                    int found = -1;
                    for (int t = 0; t < p.taps[j].length; t++) {
                        if (p.taps[j][t] == k) {
                            assertEquals(-1, found, "tap " + k + " listed twice in phase " + j);
                            found = t;
                        }
                    }
                    assertTrue(found >= 0, "output " + o + " tap " + k + " (input " + full / s + ") missing from phase "
                            + j);
                    assertEquals(full / s, q + p.shift[j] + p.offsets[j][found], "input of output " + o + " tap " + k);
                }
            }
        });
    }

    @Test
    void everyListedTapBelongsToItsPhase() {
        PropertyCheck.forAll(AXES).tries(3000).check(d -> {
            ConvTransposeGeometry.Axis a = d.axis();
            AxisPhases p = AxisPhases.of(a, d.shifted());
            int s = a.stride();
            int outputs = 0;
            for (int j = 0; j < p.phases; j++) {
                outputs += p.count(j);
                for (int t = 0; t < p.taps[j].length; t++) {
                    int k = p.taps[j][t];
                    assertTrue(k >= 0 && k < a.kernel(), "tap " + k);
                    assertTrue(t == 0 || p.taps[j][t - 1] < k, "taps ascend");
                    for (int q = 0; q < p.count(j); q++) {
                        // A kept tap may read outside the input (it then reads zeros), never across phases.
                        long input = (long) q + p.shift[j] + p.offsets[j][t];
                        assertEquals((long) j + (long) q * s + a.padBegin(), input * s + (long) k * a.dilation(),
                                "phase " + j + " tap " + k + " grid index " + q);
                    }
                }
            }
            assertEquals(a.out(), outputs, "the phases' outputs");
        });
    }

    @Test
    void phaseMajorOrderListsEveryOutputOncePhaseByPhase() {
        PropertyCheck.forAll(AXES).tries(3000).check(d -> {
            ConvTransposeGeometry.Axis a = d.axis();
            AxisPhases p = AxisPhases.of(a, d.shifted());
            boolean[] seen = new boolean[a.out()];
            int previous = 0;
            for (int k = 0; k < a.out(); k++) {
                int o = p.phaseMajor(k);
                assertTrue(o >= 0 && o < a.out() && !seen[o], "position " + k + " gives output " + o);
                seen[o] = true;
                assertTrue(k == 0 || o % a.stride() > previous % a.stride()
                        || o % a.stride() == previous % a.stride() && o > previous, "position " + k + " after " + previous);
                previous = o;
            }
        });
    }

    @Test
    void familiesPartitionThePhasesAndShareTheirInputs() {
        PropertyCheck.forAll(AXES).tries(3000).check(d -> {
            AxisPhases p = AxisPhases.of(d.axis(), d.shifted());
            int[] seen = new int[p.phases];
            for (int f = 0; f < p.families.length; f++) {
                int lead = p.families[f][0];
                for (int j : p.families[f]) {
                    seen[j]++;
                    assertArrayEquals(p.offsets[lead], p.offsets[j], "offsets of family " + f + ", phase " + j);
                    assertEquals(p.taps[lead].length, p.taps[j].length, "taps of family " + f);
                    if (!d.shifted()) {
                        assertEquals(0, p.shift[j], "an exact family shifts nothing");
                    }
                    for (int q = 0; q < p.count(j); q++) {
                        int position = q + p.shift[j] - p.gridStart(f);
                        assertTrue(position >= 0 && position < p.gridSize(f), "phase " + j + " grid index " + q
                                + " outside family " + f + "'s grid");
                    }
                }
            }
            for (int j = 0; j < p.phases; j++) {
                assertEquals(1, seen[j], "families holding phase " + j);
            }
        });
    }

    @Test
    void reachingTapsAreExactlyThoseThatReadTheInput() {
        PropertyCheck.forAll(s -> {
            Draw d = AXES.draw(s);
            int a = s.between(0, 30);
            int b = s.between(0, 30);
            return new Span(d, Math.min(a, b), Math.max(a, b));
        }).tries(3000).check(v -> {
            Draw d = v.draw();
            int q0 = v.q0();
            int q1 = v.q1();
            AxisPhases p = AxisPhases.of(d.axis(), d.shifted());
            int size = d.axis().in();
            for (int j = 0; j < p.phases; j++) {
                int[] range = AxisPhases.reachingTaps(p.offsets[j], q0, q1, size, new int[2]);
                for (int t = 0; t < p.offsets[j].length; t++) {
                    boolean reads = false;
                    for (int q = q0; q <= q1; q++) {
                        reads |= q + p.offsets[j][t] >= 0 && q + p.offsets[j][t] < size;
                    }
                    assertEquals(reads, t >= range[0] && t < range[1], "phase " + j + " tap slot " + t
                            + " over grid " + q0 + ".." + q1);
                }
            }
        });
    }
}
