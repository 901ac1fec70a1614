package dev.convt.bench;

import java.util.List;

/**
 * A table the report prints twice, in Markdown and in HTML, from one list of cells.
 *
 * @param header column titles
 * @param numeric per column, whether it holds numbers (right-aligned)
 * @param rows the cells, already formatted
 */
record ReportTable(List<String> header, List<Boolean> numeric, List<List<String>> rows) {

    String markdown() {
        StringBuilder s = new StringBuilder();
        s.append("| ").append(String.join(" | ", header)).append(" |\n|");
        numeric.forEach(n -> s.append(n ? " ---: |" : " --- |"));
        s.append('\n');
        rows.forEach(r -> s.append("| ").append(String.join(" | ", r)).append(" |\n"));
        return s.toString();
    }

    String html() {
        StringBuilder s = new StringBuilder("<table>\n");
        // A key-value table has blank titles, which Markdown needs but HTML can leave out.
        if (header.stream().anyMatch(h -> !h.isEmpty())) {
            s.append("<thead><tr>");
            header.forEach(h -> s.append("<th>").append(Html.escape(h)).append("</th>"));
            s.append("</tr></thead>\n");
        }
        s.append("<tbody>\n");
        for (List<String> row : rows) {
            s.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                s.append(numeric.get(c) ? "<td class=\"num\">" : "<td>").append(Html.escape(row.get(c))).append("</td>");
            }
            s.append("</tr>\n");
        }
        return s.append("</tbody>\n</table>\n").toString();
    }
}
