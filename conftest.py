"""Collect the worked examples in ``docs/**/*.md`` as doctests.

Only fenced blocks marked ``pycon`` are examples.  All blocks of a page
share one namespace, like a reader typing them in order, and a failure
reports the page and the line of the failing ``>>>``.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

# Notebooks are jupytext .py files that mkdocs-jupyter executes in the build; not test modules.
collect_ignore_glob = ["docs/notebooks/*"]

FENCE = re.compile(r"^```pycon[^\n]*\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def pycon_blocks(text: str) -> list[tuple[int, str]]:
    """(line number of the block's first line, block text) for each pycon fence."""
    return [(text.count("\n", 0, m.start("body")), m.group("body")) for m in FENCE.finditer(text)]


class MarkdownDoctests(pytest.File):
    def collect(self):
        text = self.path.read_text(encoding="utf-8")
        if pycon_blocks(text):
            yield MarkdownDoctestItem.from_parent(self, name="pycon")


class MarkdownDoctestItem(pytest.Item):
    def runtest(self) -> None:
        text = self.path.read_text(encoding="utf-8")
        parser = doctest.DocTestParser()
        globs: dict = {}
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        for lineno, block in pycon_blocks(text):
            test = parser.get_doctest(block, globs, self.path.name, str(self.path), lineno)
            runner.run(test, out=self._collect_output, clear_globs=False)
            globs = test.globs
        if runner.failures:
            raise MarkdownDoctestFailure("".join(self._output))

    _output: list[str]

    def setup(self) -> None:
        self._output = []

    def _collect_output(self, text: str) -> None:
        self._output.append(text)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, MarkdownDoctestFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"worked examples in {self.path.name}"


class MarkdownDoctestFailure(Exception):
    pass


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md" and "docs" in file_path.parts and "vendor" not in file_path.parts:
        return MarkdownDoctests.from_parent(parent, path=file_path)
    return None
