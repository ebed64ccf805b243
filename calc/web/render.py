"""HTML for calculator results, shared by the docs build and the browser.

The same function renders the prerendered result at build time (CPython)
and the live result in the reader's browser (Pyodide), so the two cannot
look different.  Every string is escaped: results may quote what a reader
typed, and that text must never become markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One line of a result: a label, a formatted value with its unit, and how it was computed."""

    label: str
    value: str
    unit: str = ""
    formula: str = ""
    substituted: str = ""
    key: str = ""  # stable name for tests and styling
    strong: bool = False


def render_rows(rows: tuple[Row, ...], *, note: str = "") -> str:
    """A definition list of results; formula and arithmetic under each value."""
    parts = ['<dl class="calc-results">']
    for row in rows:
        value = escape(row.value) + (f" {escape(row.unit)}" if row.unit else "")
        cls = ' class="calc-strong"' if row.strong else ""
        parts.append(f'<div class="calc-row" data-key="{escape(row.key)}"{cls}>')
        parts.append(f"<dt>{escape(row.label)}</dt>")
        parts.append(f'<dd><span class="calc-value" data-key="{escape(row.key)}">{value}</span>')
        if row.formula or row.substituted:
            parts.append('<span class="calc-arithmetic">')
            if row.formula:
                parts.append(f'<code class="calc-formula">{escape(row.formula)}</code> ')
            if row.substituted:
                parts.append(f'<span class="calc-substituted">{escape(row.substituted)}</span>')
            parts.append("</span>")
        parts.append("</dd></div>")
    parts.append("</dl>")
    if note:
        parts.append(f'<p class="calc-note">{escape(note)}</p>')
    return "".join(parts)


def render_table(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], *, caption: str = "") -> str:
    """A plain HTML table (numbers right-aligned by the site's CSS); every cell escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<div class="calc-table-wrap"><table class="calc-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
