package dev.convt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GridTest {

    @ParameterizedTest
    @CsvSource({"3, 3", "-12, -12", "0, 0", "-0.0, 0", "0.5, 0.5", "-1.25, -1.25", "0.1234, 0.123", "2.0004, 2",
        "1e20, 100000000000000000000", "NaN, NaN"})
    void wholeNumbersHaveNoDecimalPointOthersThreeDecimals(double value, String shown) {
        assertEquals(shown, Grid.number(value));
    }

    @Test
    void oneColumnWidthForTheWholeMapAndPlaceholdersAsDots() {
        Grid g = Grid.marked("map", new float[][] {{1, 0}, {-10, 0}}, new boolean[][] {{false, true}, {false, false}});
        assertEquals(List.of("map", "  1   .", "-10   0"), g.lines());
    }

    @Test
    void gridsSideBySideKeepTheirColumns() {
        Grid a = Grid.of("a (2x1)", new float[][] {{1}, {2}});
        Grid b = Grid.of("b", new float[][] {{30, 40}});
        assertEquals(List.of("a (2x1)    b", "1          30 40", "2"), Grid.sideBySide(List.of(a, b), 4));
    }
}
