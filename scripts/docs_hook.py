"""MkDocs hook: numbers in the docs come from ``calc`` at build time.

Markdown may contain shortcodes of two kinds:

* ``{{ calc: EXPR }}`` or ``{{ calc: EXPR | FORMAT }}`` — ``EXPR`` is a small
  Python expression over ``calc``'s public names and ``calc.source.examples``:
  names, attributes, calls and indexing whose arguments are literals or
  such expressions, and + - * / between numbers; nothing else is evaluated.
  ``FORMAT`` is a format spec such as ``,.0f``, optionally preceded by a
  display unit from ``calc.core.units``: ``TFLOP:.2f`` divides the SI value by
  1e12 first.  A ``Quantity`` is formatted by its value; without a format
  it prints as ``value unit``.  ``FORMAT`` ``t`` shows a word calc returns
  (``"memory"``, ``"KV cache"``) in the page's language, from ``calc.web.i18n``;
  ``t:limited by`` shows the phrase ``"limited by memory"`` (the word in context).
* ``{{ calc-table: NAME }}`` — a Markdown table rendered by ``docs_tables``.
* ``{{ calc-widget: NAME key=value ... }}`` — a live calculator from
  ``calc.web.widgets``, its defaults prerendered here (see ``docs_widgets``).

An unknown name, a bad argument or a bad format aborts the build with the
page and the shortcode, so a page can never show a number ``calc`` did not
compute.
"""

from __future__ import annotations

import ast
import json
import operator
import re
import sys
from html import escape
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import calc  # noqa: E402
import calc.source.examples  # noqa: E402
from calc.core import units  # noqa: E402
from calc.web import i18n  # noqa: E402
from calc.core.quantity import Quantity  # noqa: E402

import docs_tables  # noqa: E402
import docs_widgets  # noqa: E402
import maths  # noqa: E402
import site_assets  # noqa: E402

SHORTCODE = re.compile(r"\{\{\s*calc(?P<kind>-table|-widget)?:\s*(?P<body>.+?)\s*\}\}")

NAMESPACE: dict[str, Any] = {
    **{name: getattr(calc, name) for name in calc.__all__},
    **{name: value for name, value in vars(calc.source.examples).items() if not name.startswith("_")},
    "units": units,
}


class ShortcodeError(ValueError):
    """A shortcode that cannot be evaluated; the message says why."""


_ARITHMETIC = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}


def _number(value: Any) -> float:
    return value.value if isinstance(value, Quantity) else value


def _argument(node: ast.expr) -> Any:
    """A call argument or index: a literal, or itself an allowed expression."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        return _evaluate(node)


def _evaluate(node: ast.expr) -> Any:
    if isinstance(node, ast.Name):
        if node.id not in NAMESPACE:
            raise ShortcodeError(f"unknown name {node.id!r}")
        return NAMESPACE[node.id]
    if isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            raise ShortcodeError(f"private attribute {node.attr!r} is not allowed")
        return getattr(_evaluate(node.value), node.attr)
    if isinstance(node, ast.Call):
        func = _evaluate(node.func)
        args = [_argument(a) for a in node.args]
        kwargs = {k.arg: _argument(k.value) for k in node.keywords if k.arg}
        return func(*args, **kwargs)
    if isinstance(node, ast.Subscript):
        return _evaluate(node.value)[_argument(node.slice)]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = (_number(_evaluate(side)) for side in (node.left, node.right))
        return _ARITHMETIC[type(node.op)](left, right)
    raise ShortcodeError(f"{type(node).__name__} is not allowed in a shortcode")


def format_value(value: Any, fmt: str) -> str:
    """Format a result: ``fmt`` is ``[UNIT:]SPEC``; a Quantity formats by its value."""
    if not fmt:
        return str(value)
    unit, _, spec = fmt.rpartition(":") if ":" in fmt else ("", "", fmt)
    number = value.value if isinstance(value, Quantity) else value
    if unit:
        number = units.convert(number, to=unit)
    return format(number, spec)


def render_shortcode(body: str, lang: str = "en") -> str:
    """Evaluate one ``calc:`` shortcode body (``EXPR`` or ``EXPR | FORMAT``) for a page in ``lang``."""
    expr, _, fmt = body.partition("|")
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise ShortcodeError(f"not an expression: {exc.msg}") from None
    value = _evaluate(tree.body)
    kind, _, context = fmt.strip().partition(":")
    if kind == "t":  # "t" or "t:CONTEXT": the word, or the phrase "CONTEXT word", in the page's language
        if not isinstance(value, str):
            raise ShortcodeError(f"format 't' translates words; got {type(value).__name__}")
        phrase = f"{context} {value}" if context else value
        if i18n.lookup(phrase, lang) is None:
            raise ShortcodeError(f"{phrase!r} has no {lang} entry in calc/web/locale_{lang}.py")
        return i18n.t(phrase, lang)
    return format_value(value, fmt.strip())


def substitute(markdown: str, *, page: str, lang: str = "en") -> str:
    """Replace every shortcode in ``markdown``; raise PluginError naming the page on failure.

    ``lang`` is the page's language: numbers are the same in every language, a widget's labels are not.
    """

    def replace(match: re.Match[str]) -> str:
        body = match.group("body")
        try:
            if match.group("kind") == "-table":
                return docs_tables.render(body, lang)
            if match.group("kind") == "-widget":
                return docs_widgets.render(body, page=page, lang=lang)
            return render_shortcode(body, lang)
        except Exception as exc:  # every failure must stop the build, with context
            raise PluginError(f"{page}: shortcode {match.group(0)!r} failed: {exc}") from exc

    return SHORTCODE.sub(replace, markdown)


def on_config(config: Any) -> Any:
    missing = site_assets.missing_vendor_files(Path(config["docs_dir"]))
    if missing:
        raise PluginError(
            f"{', '.join(missing)} missing: run `bash scripts/serve.sh` or `python scripts/vendor_assets.py` "
            "(after `npm ci`) to copy the self-hosted KaTeX, Pyodide and Vega into docs/vendor"
        )
    return config


def page_language(page: Any) -> str:
    """The language of a page: the i18n plugin marks each file with its locale (``roofline.zh.md`` → zh)."""
    return getattr(page.file, "locale", None) or "en"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    return substitute(markdown, page=page.file.src_uri, lang=page_language(page))


#: On a page with a calculator, Python's worker starts from the <head>: a cold page's main thread is busy for
#: ~0.5 s with Material's scripts before calc-widgets.js (at the end of the body) runs, and the worker's
#: downloads and WebAssembly compilation need none of it.  calc-widgets.js adopts this worker, replaying the
#: messages it sent meanwhile (a worker's message with no listener would be lost).
#:
#: The page also fetches and compiles Pyodide's WebAssembly itself (compileStreaming: the compiler runs on
#: background threads while the bytes arrive) and hands the compiled module to the worker: the download
#: starts while the HTML is parsed instead of once the worker's own script has loaded (~0.3 s later on a
#: local link, several round trips on a slow one).  The worker fetches it itself if that fails.
EARLY_WORKER = """<script>(() => {
  try {
    const vendor = new URL("VENDOR", location.href).href;
    const early = { at: performance.now(), worker: new Worker("WORKER", { type: "module" }), messages: [] };
    early.worker.onmessage = (message) => early.messages.push(message);
    early.worker.onerror = (error) => { early.error = error; };
    const wasm = vendor + "pyodide/pyodide.asm.wasm";
    const page = typeof WebAssembly.compileStreaming === "function";
    early.worker.postMessage({ type: "init", vendor, wasm: page ? "page" : "worker",
                               start: new URLSearchParams(location.search).get("calc-start") || "auto" });
    window.calcEarlyWorker = early;
    if (!page) return;
    const send = (module) => {
      const entry = performance.getEntriesByName(wasm).pop();
      const ms = entry && entry.transferSize ? entry.responseEnd - entry.responseStart : 0;
      try {
        early.worker.postMessage({ type: "wasm", module, rate: ms > 0 ? entry.encodedBodySize / ms : null });
      } catch (error) {
        early.worker.postMessage({ type: "wasm", module: null });
      }
    };
    WebAssembly.compileStreaming(fetch(wasm)).then(send, () => send(null));
  } catch (error) { /* calc-widgets.js starts one itself */ }
})();</script>"""


def on_post_page(output: str, page: Any, **_: Any) -> str:
    """Formulas typeset by KaTeX now (no script needed for maths); a name for the search dialog. On a page with
    a calculator, start Python's worker and ask for its library (with calc) while the HTML is parsed.

    The worker asks for it only once it runs and has read the manifest; the file's name carries a
    content hash and hosts may cache it forever (README.md, "Hosting"), so the worker's request is answered
    from this download instead of starting a second one.
    """
    if 'class="calc-widget"' in output:
        up = "../" * page.url.count("/")
        hint = f'<link rel="preload" href="{up}vendor/{site_assets.runtime_name()}" as="fetch" type="application/zip" crossorigin>'
        early = EARLY_WORKER.replace("WORKER", f"{up}javascripts/calc-worker.mjs").replace("VENDOR", f"{up}vendor/")
        # Before the stylesheets: a script after them waits until they have loaded.
        output = re.sub(r"<meta charset=[^>]*>", lambda m: f"{m.group(0)}\n{hint}\n{early}", output, count=1)
    # Material's search box is a dialog without a name; screen readers announce it by this one, in the page's
    # language.  The site script's own words (docs/javascripts/site.js) come in the same language, from the catalog.
    words = i18n.ui(page_language(page), i18n.SITE)
    output = output.replace('data-md-component="search" role="dialog">',
                            f'data-md-component="search" role="dialog" aria-label="{escape(words["search.dialog"])}">', 1)
    site_words = json.dumps(words, ensure_ascii=False).replace("</", "<\\/")
    output = output.replace("</head>", f'<script type="application/json" id="calc-site-ui">{site_words}</script>\n</head>', 1)
    try:
        return maths.typeset(output, notebook=page.file.src_uri.endswith((".py", ".ipynb")))
    except maths.MathError as exc:
        raise PluginError(f"{page.file.src_uri}: {exc}") from exc


def on_post_build(config: Any) -> None:
    """Put the calc wheel (rebuilt only when calc changes) and its manifest into the site."""
    site_assets.install_wheel(Path(config["site_dir"]))
