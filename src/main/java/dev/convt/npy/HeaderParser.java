package dev.convt.npy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the Python dict literal of a {@code .npy} header, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}: exactly the keys
 * {@code descr}, {@code fortran_order} and {@code shape}, each once, with Python's literal syntax
 * for strings, booleans and tuples of non-negative integers (a one-element tuple needs its
 * trailing comma, and a Python 2 {@code L} suffix is allowed, as NumPy allows both).
 */
final class HeaderParser {

    record Fields(String descr, boolean fortranOrder, long[] shape) {}

    private final String text;
    private final String source;
    private int pos;

    HeaderParser(String text, String source) {
        this.text = text;
        this.source = source;
    }

    Fields parse() throws IOException {
        String descr = null;
        Boolean fortran = null;
        long[] shape = null;
        skipSpace();
        expect('{');
        skipSpace();
        while (peek() != '}') {
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            switch (key) {
                case "descr" -> {
                    requireFirst(key, descr);
                    descr = string();
                }
                case "fortran_order" -> {
                    requireFirst(key, fortran);
                    fortran = bool();
                }
                case "shape" -> {
                    requireFirst(key, shape);
                    shape = tuple();
                }
                default -> throw error("unexpected key '" + key + "' (a .npy header has descr, fortran_order, shape)");
            }
            skipSpace();
            if (peek() == ',') {
                pos++;
                skipSpace();
            } else if (peek() != '}') {
                throw error("expected ',' or '}'");
            }
        }
        pos++;
        skipSpace();
        if (pos != text.length()) {
            throw error("unexpected text after the header dict");
        }
        if (descr == null || fortran == null || shape == null) {
            throw new IOException(source + ": malformed .npy header: missing key "
                    + (descr == null ? "'descr'" : fortran == null ? "'fortran_order'" : "'shape'") + " in " + quoted());
        }
        return new Fields(descr, fortran, shape);
    }

    private void requireFirst(String key, Object previous) throws IOException {
        if (previous != null) {
            throw error("duplicate key '" + key + "'");
        }
    }

    private String string() throws IOException {
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw error("expected a quoted string");
        }
        int end = text.indexOf(quote, pos + 1);
        if (end < 0) {
            throw error("unterminated string");
        }
        String s = text.substring(pos + 1, end);
        if (s.indexOf('\\') >= 0) {
            throw error("escape sequences are not supported in strings");
        }
        pos = end + 1;
        return s;
    }

    private boolean bool() throws IOException {
        if (text.startsWith("True", pos)) {
            pos += 4;
            return true;
        }
        if (text.startsWith("False", pos)) {
            pos += 5;
            return false;
        }
        throw error("expected True or False");
    }

    private long[] tuple() throws IOException {
        expect('(');
        skipSpace();
        List<Long> dims = new ArrayList<>();
        boolean trailingComma = false;
        while (peek() != ')') {
            dims.add(integer());
            skipSpace();
            trailingComma = false;
            if (peek() == ',') {
                pos++;
                trailingComma = true;
                skipSpace();
            } else if (peek() != ')') {
                throw error("expected ',' or ')' in the shape");
            }
        }
        pos++;
        if (dims.size() == 1 && !trailingComma) {
            throw error("shape (" + dims.get(0) + ") is an integer in Python, not a tuple; a 1-D shape is ("
                    + dims.get(0) + ",)");
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private long integer() throws IOException {
        int start = pos;
        if (peek() == '-') {
            throw error("negative dimension in the shape");
        }
        while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
            pos++;
        }
        if (pos == start) {
            throw error("expected a dimension (a non-negative integer)");
        }
        String digits = text.substring(start, pos);
        if (peek() == 'L') {
            pos++;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("dimension " + digits + " is too large");
        }
    }

    private void expect(char c) throws IOException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    /** The next character, or NUL at the end (which no rule accepts). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\n' || text.charAt(pos) == '\t'
                || text.charAt(pos) == '\r')) {
            pos++;
        }
    }

    private IOException error(String what) {
        return new IOException(source + ": malformed .npy header at character " + pos + ": " + what + " in " + quoted());
    }

    private String quoted() {
        String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return "\"" + shown.strip() + "\"";
    }
}
