"""HTML for a calculator embedded in a page (``{{ calc-widget: NAME key=value ... }}``).

The form is generated from the widget's schema; the result below it is the
widget's default output computed now, at build time, by CPython — so a
reader sees correct numbers before Python loads in the browser, and with
JavaScript off.  The browser script (docs/javascripts/calc-widgets.js)
takes over the same markup.
"""

from __future__ import annotations

import json
import shlex
from html import escape

from calc.web import i18n, widgets
from calc.web.forms import Field


def _attr(value: object) -> str:
    return escape(json.dumps(value, separators=(",", ":")), quote=True)


def _control(widget_id: str, field: Field, value: object, lang: str) -> str:
    ident = f"{widget_id}-{field.name}"
    described = f'aria-describedby="{ident}-help {ident}-error"'
    if field.kind == "choice":
        options = "".join(
            f'<option value="{escape(c)}"{" selected" if c == value else ""}>{escape(i18n.t(c, lang))}</option>'
            for c in field.choices
        )
        return f'<select id="{ident}" name="{escape(field.name)}" {described}>{options}</select>'
    if field.kind == "text":
        is_json = field.placeholder.startswith("{")
        # The file input itself takes the keyboard focus (Tab reaches it, Enter or Space opens the chooser),
        # visually hidden inside a label styled as a button; shown once the script that reads the file has run.
        upload = (f'<label class="calc-upload md-button" hidden>{escape(i18n.t("Load a file…", lang))}<input type="file" '
                  f'class="calc-visually-hidden" accept=".json,application/json" data-for="{escape(field.name)}" '
                  f'aria-describedby="{ident}-help"></label>') if is_json else ""
        return (f'<textarea id="{ident}" name="{escape(field.name)}" rows="{4 if is_json else 2}" '
                f'spellcheck="false" placeholder="{escape(field.placeholder)}" {described}>{escape(str(value))}</textarea>'
                f'{upload}')
    mode = "numeric" if field.kind == "integer" else "decimal"
    return (f'<input id="{ident}" name="{escape(field.name)}" type="text" inputmode="{mode}" '
            f'value="{escape(_number_text(value))}" autocomplete="off" spellcheck="false" {described}>')


def _number_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _field_html(widget_id: str, field: Field, value: object, lang: str) -> str:
    ident = f"{widget_id}-{field.name}"
    unit = f'<span class="calc-unit">{escape(i18n.t(field.unit, lang))}</span>' if field.unit else ""
    wide = " calc-wide" if field.kind == "text" else ""
    return (
        f'<div class="calc-field{wide}" data-field="{escape(field.name)}">'
        f'<label for="{ident}">{escape(i18n.t(field.label, lang))}</label>'
        f'<span class="calc-control">{_control(widget_id, field, value, lang)}{unit}</span>'
        f'<small class="calc-help" id="{ident}-help">{escape(i18n.t(field.help, lang))}</small>'
        f'<span class="calc-error" id="{ident}-error" role="alert"></span>'
        "</div>"
    )


def parse_declaration(body: str) -> tuple[str, dict[str, str]]:
    """``roofline gpu="H100-SXM5-80GB" batch=64`` -> ("roofline", {"gpu": ..., "batch": "64"})."""
    name, *pairs = shlex.split(body)
    overrides: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"widget argument {pair!r} must look like name=value")
        overrides[key] = value
    return name, overrides


def render(body: str, *, page: str, lang: str = "en") -> str:
    """The full widget markup in the page's language, prerendered; a bad name or override raises ValueError."""
    name, overrides = parse_declaration(body)
    widget = widgets.get_widget(name)
    result = widgets.call(name, overrides, lang=lang)
    if not result["ok"]:
        raise ValueError(f"widget {name!r}: {result['message']}")
    inputs = result["inputs"]
    widget_id = f"calc-{name}"
    fields = "".join(_field_html(widget_id, f, inputs[f.name], lang) for f in widget.fields)
    schema = [f.schema() for f in widget.fields]
    chart = result["chart"]
    messages = i18n.ui(lang)
    return (
        f'<div class="calc-widget" id="{widget_id}" data-widget="{escape(name)}" data-page="{escape(page)}" '
        f'data-lang="{lang}" data-defaults="{_attr(inputs)}" data-schema="{_attr(schema)}" '
        f'data-messages="{_attr(messages)}">'
        f'<div class="calc-header"><span class="calc-title">{escape(i18n.t(widget.title, lang))}</span>'
        f'<span class="calc-status" data-state="prerendered" role="status">{escape(messages["status.prerendered"])}</span>'
        f'<button type="button" class="calc-reset md-button">{escape(i18n.t("Reset", lang))}</button></div>'
        f'<form class="calc-form" novalidate autocomplete="off">{fields}</form>'
        f'<div class="calc-output" aria-live="polite">{result["html"]}</div>'
        f'<div class="calc-chart" data-spec="{_attr(chart)}"></div>'
        f'<noscript><p class="calc-note">{escape(i18n.t(_NOSCRIPT, lang))}</p></noscript>'
        "</div>"
    )


_NOSCRIPT = "JavaScript is off: these are the default results, computed when the site was built."
