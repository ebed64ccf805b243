"""MkDocs hook: the figures and notebooks of the site, rebuilt only when their inputs change.

* Figures.  ``scripts/figures.py`` renders every figure to SVG in a
  subprocess (so matplotlib never loads into ``mkdocs serve``), cached under
  ``.cache/figures/KEY/`` where KEY hashes ``calc``'s source and data, the
  figure code and the matplotlib version.  The SVGs join the site as
  ``figures/NAME.svg``, so a page embeds one with ``![alt](figures/NAME.svg)``
  and the link is checked like any other.  Each language has its own set, drawn
  once and cached under ``KEY-LANG`` (``scripts/figure_text.py`` translates the words; the
  numbers are the same): the Chinese build's ``figures/NAME.zh.svg`` is written to
  ``zh/figures/NAME.svg``, which is where its pages' links resolve.  Inside pages the ``<img>`` is then
  replaced by the SVG itself, so its ``currentColor`` text follows the light
  or dark palette; ``alt`` becomes the SVG's accessible name.
* Notebooks.  mkdocs-jupyter executes ``docs/notebooks/*.py`` and caches the
  result keyed by the notebook's text only; this hook points its cache at
  ``.cache/mkdocs-jupyter/KEY/`` so an edit to ``calc`` or the figure code
  re-runs them, and prunes caches of older keys.  It writes each notebook as
  ``.ipynb`` beside its page for download, and strips the CDN scripts
  (MathJax, mermaid) that mkdocs-jupyter's template adds: no request leaves
  the site, and the site's own KaTeX renders notebook math.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

sys.path.insert(0, str(Path(__file__).resolve().parent))
from i18n_hook import language  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent
FIGURE_CODE = SCRIPTS / "figures.py"
FIGURE_HELPERS = (SCRIPTS / "figure_style.py", SCRIPTS / "figures_bounds.py", SCRIPTS / "figure_text.py",
                  SCRIPTS / "figures_serving.py")
NOTEBOOK_PLUGIN = "mkdocs-jupyter"
IMG = re.compile(r'<img\b(?P<attrs>[^>]*?\bsrc="(?P<src>[^"]*?figures/(?P<name>[\w-]+)\.svg)"[^>]*?)/?>')
NOTEBOOK_SVG = re.compile(r'<img\b[^>]*?\bsrc="data:image/svg\+xml;base64,(?P<data>[A-Za-z0-9+/=\s]+)"[^>]*?/?>')
OUTSIDE_SCRIPT = re.compile(
    r'<script\b[^>]*\bsrc="(?:(?:https?:)?//[^"]*)?"[^>]*>\s*</script>'  # MathJax from a CDN, or src=""
    r'|<script type="text/x-mathjax-config">.*?</script>'  # its configuration: KaTeX renders the math
    r'|<script type="module">(?:(?!</script>).)*?cdnjs\.cloudflare\.com(?:(?!</script>).)*?</script>',  # mermaid
    re.DOTALL,
)

_svgs: dict[str, Path] = {}


def _calc_dir() -> Path:
    import calc

    return Path(calc.__file__).resolve().parent


def cache_root() -> Path:
    """``.cache`` beside the ``calc`` package in use (a test's copy of the docs shares it)."""
    return _calc_dir().parent / ".cache"


def inputs_key() -> str:
    """Hash of everything a figure or a notebook output depends on, apart from the notebook itself."""
    digest = hashlib.sha256()
    calc_dir = _calc_dir()
    sources = {str(p.relative_to(calc_dir)): p for p in (*calc_dir.rglob("*.py"), *calc_dir.rglob("*.json"))}
    sources["../scripts/figures.py"] = FIGURE_CODE  # named, not by absolute path: a copied tree hashes alike
    for helper in FIGURE_HELPERS:  # the modules figures.py imports its style and some figures from
        sources[f"../scripts/{helper.name}"] = helper
    for name in sorted(sources):
        digest.update(name.encode())
        digest.update(sources[name].read_bytes())
    for package in ("matplotlib", "numpy"):
        digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


def _prune(parent: Path, keep: str) -> None:
    """Remove caches of other keys (a key's language sets, ``KEY-zh``, are kept with it)."""
    if parent.is_dir():
        for old in parent.iterdir():
            if old.is_dir() and old.name.split("-")[0] != keep and not old.name.startswith("tmp-"):
                shutil.rmtree(old, ignore_errors=True)


def render_figures(key: str, lang: str = "en") -> dict[str, Path]:
    """SVG path of every figure in ``lang``, rendering them (in a subprocess) unless cached for ``key``."""
    parent = cache_root() / "figures"
    folder = key if lang == "en" else f"{key}-{lang}"
    target = parent / folder
    if not (target / ".complete").exists():
        parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=parent, prefix="tmp-"))
        result = subprocess.run(
            [sys.executable, str(FIGURE_CODE), str(scratch), "--lang", lang], capture_output=True, text=True,
        )
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise PluginError(f"scripts/figures.py failed:\n{result.stderr}")
        (scratch / ".complete").touch()
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)
    _prune(parent, keep=key)
    return {path.stem: path for path in sorted(target.glob("*.svg"))}


def _kernel_spec() -> None:
    """Notebooks run in this Python, with the repository importable and the kernel's TCP notice silenced.

    A ``python3`` kernelspec on ``JUPYTER_PATH`` takes precedence over the default one; it exists only
    for the build (under ``.cache``), so a reader's own Jupyter is untouched.
    """
    spec_dir = cache_root() / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR"],
        "display_name": "Python 3 (site build)",
        "language": "python",
        "env": {"PYTHONPATH": os.pathsep.join([str(SCRIPTS.parent), str(SCRIPTS)])},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    paths = [str(spec_dir.parent.parent), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))


def on_config(config: Any) -> Any:
    key = inputs_key()
    _kernel_spec()
    config["extra"]["figures_key"] = key
    plugin = config["plugins"].get(NOTEBOOK_PLUGIN)
    if plugin is not None:
        parent = cache_root() / "mkdocs-jupyter"
        plugin.config["cache_dir"] = str(parent / key)
        _prune(parent, keep=key)
    return config


def on_files(files: Files, config: Any) -> Files:
    lang = language(config)
    _svgs.clear()
    _svgs.update(render_figures(config["extra"]["figures_key"], lang))
    for name, path in _svgs.items():
        if lang == "en":
            files.append(File.generated(config, f"figures/{name}.svg", abs_src_path=str(path)))
        else:  # found by the i18n plugin for a page's figures/NAME.svg link; written under /LANG/
            figure = File.generated(config, f"figures/{name}.{lang}.svg", abs_src_path=str(path))
            figure.dest_uri = f"{lang}/figures/{name}.svg"
            files.append(figure)
    return files


def inline(svg: str, alt: str | None = None) -> str:
    """An SVG document as an inline element: scalable, in the page's text colour, labelled by ``alt``
    (default: the SVG's own ``<title>``, which scripts/figures.py writes from the axes' titles)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'<svg\b([^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"<svg\1", svg, count=1)
    if alt is None:
        title = re.search(r"<title>(.*?)</title>", svg, re.DOTALL)
        alt = html.unescape(title.group(1)) if title else "figure"
    label = html.escape(alt, quote=True)
    svg = re.sub(r"<title>.*?</title>", "", svg, count=1, flags=re.DOTALL)
    style = "width:100%;height:auto;color:var(--md-typeset-color)"
    return svg.replace("<svg", f'<svg role="img" aria-label="{label}" class="calc-figure" style="{style}"', 1
                       ).replace(">", f"><title>{label}</title>", 1)


def inline_svg(name: str, alt: str) -> str:
    """The cached SVG of figure ``name``, inlined (see :func:`inline`)."""
    if name not in _svgs:
        raise PluginError(f"figures/{name}.svg is not a figure; scripts/figures.py makes: {', '.join(_svgs)}")
    return inline(_svgs[name].read_text(encoding="utf-8"), alt)


def on_page_content(content: str, page: Any, **_: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        alt = re.search(r'\balt="([^"]*)"', match.group("attrs"))
        if not alt or not alt.group(1).strip():
            raise PluginError(f"{page.file.src_uri}: figure {match.group('src')} needs alt text")
        return inline_svg(match.group("name"), html.unescape(alt.group(1)))

    return IMG.sub(replace, content)


def on_post_page(output: str, page: Any, **_: Any) -> str:
    # nbconvert shows SVG outputs as <img src="data:...">, where currentColor is black: inline them too.
    output = NOTEBOOK_SVG.sub(lambda m: inline(base64.b64decode(m.group("data")).decode("utf-8")), output)
    return OUTSIDE_SCRIPT.sub("", output)


def on_post_build(config: Any) -> None:
    """Each notebook as ``.ipynb`` beside its page, for download (cells without outputs), per language."""
    import jupytext

    lang = language(config)
    docs = Path(config["docs_dir"])
    site = Path(config["site_dir"]) / ("" if lang == "en" else lang)
    for source in sorted((docs / "notebooks").glob("*.py")):
        stem, _, suffix = source.stem.partition(".")
        if (suffix or "en") != lang:
            continue
        out = site / "notebooks" / stem / f"{stem}.ipynb"
        if out.parent.is_dir():
            jupytext.write(jupytext.read(source), out, fmt="ipynb")
