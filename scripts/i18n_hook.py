"""MkDocs hook for the two-language site (English at /, Chinese at /zh/, by mkdocs-static-i18n).

* The i18n plugin warns that its per-page language-switcher links go stale under Material's instant
  navigation (the header is not redrawn).  docs/javascripts/language-switch.js computes the
  counterpart of the page being read on each click (keeping the calculators' URL query and the
  hash), so that one warning, and only that one, is dropped here: ``--strict`` stays meaningful.
* mkdocs-jupyter marks each notebook as a page by wrapping its file (``NotebookFile``); the i18n plugin,
  which runs after it, rebuilds every file of ``docs/`` as a plain ``File`` and so undoes that (the
  notebook would be copied as text).  :func:`on_files`, after both, wraps the notebooks again and keeps
  the i18n plugin's destination (``zh/notebooks/NAME/`` for ``NAME.zh.py``), and gives each its
  counterparts for the language switcher (the plugin tracks those for Markdown pages only).
* The i18n plugin rewrites the search index once every language is built, after the other hooks'
  ``on_post_build``: :func:`on_post_build` runs after it and refreshes the precompressed twins
  (``FILE.gz``/``FILE.br``, cached by content) of whatever changed, and the service worker's list of
  files (scripts/offline_hook.py) where the build made one.
* :func:`language` tells the other hooks which language is being built.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files

STALE_SWITCHER = "language switcher contextual link is not compatible with theme.features = navigation.instant"


class _HandledWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return STALE_SWITCHER not in record.getMessage()


for _name in ("mkdocs.plugins.mkdocs_static_i18n", "mkdocs.plugins.mkdocs_static_i18n.reconfigure"):
    logging.getLogger(_name).addFilter(_HandledWarning())


def language(config: Any) -> str:
    """The language being built: the i18n plugin sets Material's ``theme.language`` for each build."""
    return config["theme"]["language"] or "en"


@event_priority(-110)  # after mkdocs-static-i18n's on_files (-100), which runs after mkdocs-jupyter's
def on_files(files: Files, config: Any) -> Files:
    plugin = config["plugins"].get("mkdocs-jupyter")
    if plugin is None:
        return files
    from mkdocs_jupyter.plugin import NotebookFile

    i18n = config["plugins"].get("i18n")
    languages = i18n.build_languages if i18n else []
    default = i18n.default_language if i18n else "en"
    for file in list(files):
        if isinstance(file, NotebookFile) or not plugin.should_include(file):
            continue
        notebook = NotebookFile(file, **config)
        notebook.dest_path, notebook.abs_dest_path, notebook.url = file.dest_path, file.abs_dest_path, file.url
        folder = file.src_uri.rsplit("/", 1)[0]
        file.alternates = {  # the same notebook in each language: what the switcher links to
            lang: SimpleNamespace(url=f"{'' if lang == default else lang + '/'}{folder}/{file.name}/", page=None)
            for lang in languages
        }
        files.remove(file)
        files.append(notebook)
    return files


@event_priority(-110)  # after mkdocs-static-i18n's on_post_build (-100), which rebuilds the search index last
def on_post_build(config: Any) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import site_assets

    site = Path(config["site_dir"])
    if (site / "sw.js").exists():  # made by offline_hook in a real build (never under mkdocs serve)
        import offline_hook

        offline_hook.on_post_build(config)
    site_assets.precompress(site)  # last: the twins of everything, sw.js included
