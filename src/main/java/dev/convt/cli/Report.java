package dev.convt.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A document written either as plain text for a terminal or as Markdown: the same headings,
 * prose and grids, with Markdown headings and fenced blocks in the second form.
 */
final class Report {

    /** The two forms. */
    enum Format {
        TEXT, MARKDOWN;

        static Format parse(String option, String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "md", "markdown" -> MARKDOWN;
                default -> throw new CliException(option + ": unknown format '" + text + "' (expected text or md)");
            };
        }
    }

    /** Prose is wrapped to this width, which reads well in a terminal and in a Markdown source. */
    static final int WIDTH = 100;

    private final PrintStream out;
    private final Format format;
    private boolean first = true;

    Report(PrintStream out, Format format) {
        this.out = out;
        this.format = format;
    }

    void title(String text) {
        heading(text, "#", '=');
    }

    void section(String text) {
        heading(text, "##", '-');
    }

    private void heading(String text, String markdownPrefix, char underline) {
        separate();
        if (format == Format.MARKDOWN) {
            out.println(markdownPrefix + " " + text);
        } else {
            out.println(text);
            out.println(String.valueOf(underline).repeat(text.length()));
        }
    }

    /**
     * Prose, wrapped. Formulas go in {@code `backticks`}: they are never split across lines, and
     * Markdown shows them as code while text drops the backticks.
     */
    void paragraph(String text) {
        separate();
        for (String line : wrap(text)) {
            out.println(format == Format.MARKDOWN ? line : line.replace("`", ""));
        }
    }

    /** Grids next to each other. */
    void grids(Grid... grids) {
        block(Grid.sideBySide(List.of(grids), 4));
    }

    /** Preformatted lines: indented in text, fenced in Markdown. */
    void block(List<String> lines) {
        separate();
        if (format == Format.MARKDOWN) {
            out.println("```text");
            lines.forEach(out::println);
            out.println("```");
        } else {
            lines.forEach(line -> out.println(line.isEmpty() ? "" : "  " + line));
        }
    }

    private void separate() {
        if (!first) {
            out.println();
        }
        first = false;
    }

    /** Breaks lines at spaces outside backticks; backticks do not count towards {@link #WIDTH}. */
    private static List<String> wrap(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inCode = false;
        for (char ch : text.toCharArray()) {
            if (ch == ' ' && !inCode) {
                if (!word.isEmpty()) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                inCode ^= ch == '`';
                word.append(ch);
            }
        }
        words.add(word.toString());
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int visible = 0;
        for (String w : words) {
            int length = w.replace("`", "").length();
            if (!line.isEmpty() && visible + 1 + length > WIDTH) {
                lines.add(line.toString());
                line.setLength(0);
                visible = 0;
            }
            visible += (line.isEmpty() ? 0 : 1) + length;
            line.append(line.isEmpty() ? "" : " ").append(w);
        }
        lines.add(line.toString());
        return lines;
    }
}
