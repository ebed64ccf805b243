"""Vega-Lite chart specs built from calc's numbers (plain dicts, JSON-ready).

The browser renders them with vega-embed; the values in the data are SI
converted to the display unit named in each axis title.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..hardware import Accelerator
from ..core.units import TERA

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only; never fetched

INTENSITY_RANGE = (0.1, 1e5)


def _base(title: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 280,
        "background": None,
    }


def roofline_spec(
    *,
    roofs: Iterable[tuple[str, float, float]],
    highlight: str,
    point: tuple[float, float] | None = None,
    point_label: str = "kernel",
    points: Iterable[tuple[float, float, str]] = (),
) -> dict[str, Any]:
    """Log-log roofline: one roof per (name, peak FLOP/s, bandwidth B/s), the highlighted one bold.

    ``point`` (with ``point_label``) or ``points`` (intensity, FLOP/s, label) are marked and labelled on it.
    """
    marks = [(*point, point_label)] if point is not None else []
    marks += list(points)
    low, high = INTENSITY_RANGE
    rows = []
    for name, peak, bandwidth in roofs:
        ridge = peak / bandwidth
        for intensity in (low, ridge, high):
            rows.append({
                "gpu": name, "intensity": intensity,
                "performance": min(peak, bandwidth * intensity) / TERA,
                "highlight": name == highlight,
            })
    x = {"field": "intensity", "type": "quantitative", "scale": {"type": "log", "domain": [low, high]},
         "title": "Operational intensity (FLOP/byte)"}
    y = {"field": "performance", "type": "quantitative", "scale": {"type": "log"},
         "title": "Attainable performance (TFLOP/s)"}
    layers: list[dict[str, Any]] = [{
        "data": {"values": rows},
        "mark": {"type": "line", "clip": True},
        "encoding": {
            "x": x, "y": y,
            "detail": {"field": "gpu"},
            "color": {"condition": {"test": "datum.highlight", "value": "#e8590c"}, "value": "#8c8c8c"},
            "strokeWidth": {"condition": {"test": "datum.highlight", "value": 3}, "value": 1},
            "opacity": {"condition": {"test": "datum.highlight", "value": 1}, "value": 0.45},
            "tooltip": [{"field": "gpu", "title": "GPU"}],
        },
    }]
    if marks:
        values = [{"intensity": i, "performance": p / TERA, "label": label} for i, p, label in marks]
        layers.append({
            "data": {"values": values},
            "mark": {"type": "text", "align": "left", "dx": 8, "dy": -8, "fontSize": 12},
            "encoding": {"x": x, "y": y, "text": {"field": "label"}},
        })
        layers.append({
            "data": {"values": values},
            "mark": {"type": "point", "filled": True, "size": 120, "color": "#1c7ed6"},
            "encoding": {
                "x": x, "y": y,
                "tooltip": [
                    {"field": "label", "title": "point"},
                    {"field": "intensity", "title": "FLOP/byte", "format": ",.1f"},
                    {"field": "performance", "title": "TFLOP/s", "format": ",.1f"},
                ],
            },
        })
    return {**_base(f"Roofline of {highlight}"), "layer": layers}


def line_spec(
    *,
    title: str,
    points: list[dict[str, float]],
    x_field: str,
    x_title: str,
    y_field: str,
    y_title: str,
    current: dict[str, float] | None = None,
    x_log: bool = False,
    series: str | None = None,
    y_log: bool = False,
) -> dict[str, Any]:
    """A line chart of ``points`` with the current input marked."""
    x = {"field": x_field, "type": "quantitative", "title": x_title}
    if x_log:
        x["scale"] = {"type": "log"}
    y = {"field": y_field, "type": "quantitative", "title": y_title,
         "scale": {"type": "log"} if y_log else {"zero": True}}
    encoding: dict[str, Any] = {"x": x, "y": y, "tooltip": [
        {"field": x_field, "title": x_title, "format": ",.4~g"},
        {"field": y_field, "title": y_title, "format": ",.4~g"},
    ]}
    if series:
        encoding["color"] = {"field": series, "type": "nominal", "title": None}
    layers: list[dict[str, Any]] = [{
        "data": {"values": points}, "mark": {"type": "line", "point": False, "color": "#e8590c"} if not series
        else {"type": "line"}, "encoding": encoding,
    }]
    if current is not None:
        layers.append({
            "data": {"values": [current]},
            "mark": {"type": "point", "filled": True, "size": 120, "color": "#1c7ed6"},
            "encoding": {"x": x, "y": y, "tooltip": encoding["tooltip"]},
        })
    return {**_base(title), "layer": layers}


def catalog_roofs(parts: Iterable[Accelerator], dtype: str) -> list[tuple[str, float, float]]:
    """(name, peak, bandwidth) for every part that has a peak for ``dtype``."""
    return [(p.name, p.peaks[dtype], p.bandwidth) for p in parts if dtype in p.peaks]


def scatter_spec(
    *,
    title: str,
    points: list[dict[str, Any]],
    x_field: str,
    x_title: str,
    y_field: str,
    y_title: str,
    color: str,
    tooltip: list[tuple[str, str]],
    x_log: bool = False,
    highlight: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Points coloured by a category (e.g. a Pareto front by accelerator), one of them ringed."""
    x: dict[str, Any] = {"field": x_field, "type": "quantitative", "title": x_title}
    if x_log:
        x["scale"] = {"type": "log"}
    y = {"field": y_field, "type": "quantitative", "title": y_title, "scale": {"zero": True}}
    tips = [{"field": f, "title": t} for f, t in tooltip]
    layers: list[dict[str, Any]] = [{
        "data": {"values": points}, "mark": {"type": "point", "filled": True, "size": 90},
        "encoding": {"x": x, "y": y, "color": {"field": color, "type": "nominal", "title": None}, "tooltip": tips},
    }]
    if highlight is not None:
        layers.append({"data": {"values": [highlight]},
                       "mark": {"type": "point", "filled": False, "size": 400, "color": "#e8590c", "strokeWidth": 3},
                       "encoding": {"x": x, "y": y, "tooltip": tips}})
    return {**_base(title), "layer": layers}


def frontier_spec(*, title: str, curves: list[dict[str, Any]], measured: list[dict[str, Any]],
                  best: dict[str, Any] | None, x_title: str, y_title: str, measured_label: str) -> dict[str, Any]:
    """Throughput per GPU (y) against interactivity (x): one line per curve (colour = GPU, dash = mode),
    measured points as hollow marks of the GPU's colour, the best point ringed.

    ``curves``: rows of {gpu, mode, series, interactivity, throughput, config}; ``measured``: rows of {gpu,
    interactivity, throughput, config}."""
    x = {"field": "interactivity", "type": "quantitative", "title": x_title, "scale": {"type": "log"}}
    y = {"field": "throughput", "type": "quantitative", "title": y_title, "scale": {"type": "log"}}
    color = {"field": "gpu", "type": "nominal", "title": None}
    tips = [{"field": "config", "title": "configuration"},
            {"field": "interactivity", "title": x_title, "format": ",.1f"},
            {"field": "throughput", "title": y_title, "format": ",.0f"}]
    tip = [*tips, {"field": "ttft_ms", "title": "TTFT (ms)", "format": ",.0f"}]
    layers: list[dict[str, Any]] = [{
        "data": {"values": curves}, "mark": {"type": "line"},
        "encoding": {"x": x, "y": y, "color": color, "detail": {"field": "series"},
                     # Aggregated solid, disaggregated dashed, in every language: the order is given, not sorted
                     # (in Chinese the translated names sort the other way round), and the legend draws both as
                     # grey strokes (the points are their own layer: on a line with points the legend's symbols
                     # would be filled circles, with no dash to show).
                     "strokeDash": {"field": "mode", "type": "nominal", "title": None,
                                    "sort": ["aggregated", "disaggregated"],
                                    "scale": {"range": [[1, 0], [6, 4]]},
                                    "legend": {"symbolType": "stroke", "symbolStrokeColor": "#888888",
                                               "symbolStrokeWidth": 2, "symbolSize": 400}},
                     "tooltip": tip},
    }, {
        "data": {"values": curves}, "mark": {"type": "point", "filled": True, "size": 20, "opacity": 1},
        "encoding": {"x": x, "y": y, "color": color, "tooltip": tip},
    }]
    if measured:
        layers.append({"data": {"values": measured},
                       "mark": {"type": "point", "shape": "diamond", "filled": False, "size": 60, "strokeWidth": 1.5},
                       "encoding": {"x": x, "y": y, "color": color,
                                    "shape": {"datum": measured_label, "type": "nominal", "title": None,
                                              "scale": {"range": ["diamond"]}},
                                    "tooltip": tips}})
    if best is not None:
        layers.append({"data": {"values": [best]},
                       "mark": {"type": "point", "filled": False, "size": 400, "color": "#e8590c", "strokeWidth": 3},
                       "encoding": {"x": x, "y": y, "tooltip": tips}})
    return {**_base(title), "layer": layers}
