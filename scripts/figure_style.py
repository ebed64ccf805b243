"""Shared look of the site's figures: palette-neutral foreground, GPU colours, sizes, the figure factory.

Every text, axis and tick is drawn in :data:`FOREGROUND`, which ``figures.to_svg`` turns into
``currentColor`` so an inlined SVG follows the page's light or dark palette.  Figures fill the text
column; :func:`rendered_px` says how tall a label then is (tests keep every label at 11 px or more).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

#: Drawn colour for text, axes and ticks; figures.to_svg() replaces it with currentColor.
FOREGROUND = "#010203"

#: One colour per GPU family, the same in every figure (first matching prefix wins).
GPU_COLOURS: tuple[tuple[str, str], ...] = (
    ("V100", "#f28e2b"),
    ("A100", "#59a14f"),
    ("H100", "#4e79a7"),
    ("H200", "#b07aa1"),
    ("B200", "#ff9da7"),
    ("MI3", "#e15759"),
    ("", "#9d9d9d"),
)

#: Colours for models (kept apart from the GPU colours).
MODEL_COLOURS = {"LLaMA-13B": "#76b7b2", "LLaMA-65B": "#9c755f"}

GUIDE_ALPHA = 0.55  # reference lines and shading drawn in the foreground colour

#: Figures are drawn to the full width of the text column; at a laptop's 1280-px window Material's
#: column is about 700 px wide, and no label may then be smaller than 11 px (a test checks every text).
CONTENT_WIDTH_PX = 700
MIN_LABEL_PX = 11


def rendered_px(fig: Figure, points: float) -> float:
    """How tall ``points`` of text on ``fig`` are once the figure fills the text column."""
    return points * CONTENT_WIDTH_PX / (fig.get_figwidth() * 72)


def gpu_colour(name: str) -> str:
    """The colour of a catalog part (by family), e.g. every V100 is orange."""
    return next(colour for prefix, colour in GPU_COLOURS if name.startswith(prefix))


def short_name(name: str) -> str:
    """``V100-SXM2-32GB`` → ``V100``: the family name used in legends."""
    return name.split("-")[0]


@contextmanager
def style(name: str):
    rc = {
        "figure.figsize": (7.2, 4.4),
        "font.size": 10,
        "axes.titlesize": 11,
        "text.color": FOREGROUND,
        "axes.labelcolor": FOREGROUND,
        "axes.edgecolor": FOREGROUND,
        "xtick.color": FOREGROUND,
        "ytick.color": FOREGROUND,
        "axes.facecolor": "none",
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#888888",
        "grid.alpha": 0.25,
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "lines.linewidth": 2.0,
        "svg.hashsalt": f"llm-roofline-{name}",  # stable, figure-specific SVG ids
    }
    with matplotlib.rc_context(rc):
        yield


def new_figure(name: str, **kwargs: Any) -> Figure:
    fig = Figure(layout="constrained", **kwargs)
    fig.set_gid(f"figure-{name}")
    return fig


def log2_axis(ax: Any) -> None:
    """A base-2 logarithmic x axis labelled with plain numbers (1, 2, 4 … rather than 2^0, 2^1 …)."""
    from matplotlib.ticker import ScalarFormatter

    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(ScalarFormatter())


