"""MkDocs hook for the two-language site (English at /, Chinese at /zh/, by mkdocs-static-i18n).

* The i18n plugin warns that its per-page language-switcher links go stale under Material's instant
  navigation (the header is not redrawn).  docs/javascripts/language-switch.js computes the
  counterpart of the page being read on each click (keeping the calculators' URL query and the
  hash), so that one warning, and only that one, is dropped here: ``--strict`` stays meaningful.
* :func:`language` tells the other hooks which language is being built.
"""

from __future__ import annotations

import logging
from typing import Any

STALE_SWITCHER = "language switcher contextual link is not compatible with theme.features = navigation.instant"


class _HandledWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return STALE_SWITCHER not in record.getMessage()


for _name in ("mkdocs.plugins.mkdocs_static_i18n", "mkdocs.plugins.mkdocs_static_i18n.reconfigure"):
    logging.getLogger(_name).addFilter(_HandledWarning())


def language(config: Any) -> str:
    """The language being built: the i18n plugin sets Material's ``theme.language`` for each build."""
    return config["theme"]["language"] or "en"
