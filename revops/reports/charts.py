"""Charts as PNG data URIs, drawn with matplotlib's object API on the Agg canvas.

No pyplot: nothing global is touched, so rendering is safe inside Dagster runs and threads, and the
pages stay readable offline (the image bytes are inside the HTML)."""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

BLUE, ORANGE, GREY, GREEN, RED, LIGHT = "#0b4f8a", "#e07a10", "#9aa5b1", "#2da44e", "#cf222e", "#c9d6e3"
PALETTE = ["#0b4f8a", "#e07a10", "#2da44e", "#8250df", "#cf222e", "#1b7c83", "#9a6700", "#57606a"]
DPI = 110


def _short(v: float) -> str:
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.1f}M"
    if abs(v) >= 1e3:
        return f"{v / 1e3:,.0f}k"
    return f"{v:,.0f}"


MONEY_AXIS = FuncFormatter(lambda v, _pos: _short(v))
PCT_AXIS = FuncFormatter(lambda v, _pos: f"{v * 100:.0f}%")


def _new(width: float = 8.6, height: float = 3.3, ncols: int = 1, nrows: int = 1) -> tuple[Figure, list[Any]]:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#e5e9ee", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=8.5)
    return fig, axes


def _uri(fig: Figure) -> str:
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _legend_right(ax: Any) -> None:
    # Outside the plot area: with several series a legend inside always hides some points.
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _finite(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    ylabel: str,
    highlight: int | None = None,
    reference: float | None = None,
    reference_label: str = "",
    money: bool = True,
) -> str:
    """Vertical bars, one highlighted, with an optional horizontal reference line (e.g. an average)."""
    fig, (ax,) = _new()
    vals = _finite(values)
    colours = [ORANGE if i == highlight else BLUE for i in range(len(vals))]
    ax.bar(range(len(vals)), [0 if math.isnan(v) else v for v in vals], color=colours, width=0.7)
    if reference is not None and not math.isnan(reference):
        ax.axhline(reference, color=GREY, linestyle="--", linewidth=1.2, label=reference_label)
        ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_ylabel(ylabel, fontsize=9)
    if money:
        ax.yaxis.set_major_formatter(MONEY_AXIS)
    return _uri(fig)


def lines(
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    ylabel: str,
    percent: bool = False,
    money: bool = False,
    height: float = 3.3,
) -> str:
    """One line per series over shared category labels."""
    fig, (ax,) = _new(height=height)
    for i, (name, values) in enumerate(series.items()):
        ax.plot(
            range(len(x_labels)),
            _finite(values),
            marker="o",
            markersize=3.5,
            linewidth=1.6,
            color=PALETTE[i % len(PALETTE)],
            label=name,
        )
    ax.set_xticks(
        range(len(x_labels)),
        x_labels,
        rotation=30 if len(x_labels) > 6 else 0,
        ha="right" if len(x_labels) > 6 else "center",
    )
    ax.set_ylabel(ylabel, fontsize=9)
    if percent:
        ax.yaxis.set_major_formatter(PCT_AXIS)
    elif money:
        ax.yaxis.set_major_formatter(MONEY_AXIS)
    if len(series) > 1:
        _legend_right(ax)
    return _uri(fig)


def numeric_lines(
    series: Mapping[str, tuple[Sequence[float], Sequence[float | None]]],
    *,
    xlabel: str,
    ylabel: str,
    percent: bool = False,
    reference: float | None = None,
) -> str:
    """Lines over a numeric x axis (e.g. tenure months), one per series."""
    fig, (ax,) = _new(height=3.5)
    for i, (name, (xs, ys)) in enumerate(series.items()):
        ax.plot(
            list(xs),
            _finite(ys),
            marker="o",
            markersize=3,
            linewidth=1.5,
            color=PALETTE[i % len(PALETTE)],
            label=name,
        )
    if reference is not None:
        ax.axhline(reference, color=GREY, linestyle="--", linewidth=1.1)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    if percent:
        ax.yaxis.set_major_formatter(PCT_AXIS)
    if series:
        _legend_right(ax)
    return _uri(fig)


def waterfall(steps: Sequence[tuple[str, float]], *, ylabel: str, label: Callable[[float], str]) -> str:
    """Pipeline waterfall: the first and last steps are totals, the ones between signed moves."""
    fig, (ax,) = _new(height=3.6)
    level = 0.0
    for i, (_name, value) in enumerate(steps):
        total = i in (0, len(steps) - 1)
        if total:
            bottom, height, colour = 0.0, value, BLUE
            level = value
        else:
            bottom, height = (level, value) if value >= 0 else (level + value, -value)
            colour = GREEN if value >= 0 else RED
            level += value
        ax.bar(i, height, bottom=bottom, color=colour, width=0.65)
        ax.annotate(
            label(value),
            (i, bottom + height),
            ha="center",
            va="bottom",
            fontsize=7.5,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(range(len(steps)), [s[0] for s in steps], rotation=20, ha="right")
    ax.set_ylabel(ylabel, fontsize=9)
    ax.yaxis.set_major_formatter(MONEY_AXIS)
    ax.margins(y=0.12)
    return _uri(fig)


RangeRow = tuple[str, float | None, float | None, float | None, float | None, bool]


def ranges(panels: Sequence[tuple[str, Sequence[RangeRow]]], *, xlabel: str) -> str:
    """Forecast ranges: per row a P10–P90 bar, a P50 tick and the expected value as a dot; rows with
    the flag set (the recommended number) are drawn in the highlight colour. One panel per title."""
    height = max(2.4, 0.42 * max((len(rows) for _, rows in panels), default=1) + 1.2)
    fig, axes = _new(width=8.6, height=height, ncols=len(panels))
    for ax, (title, rows) in zip(axes, panels, strict=True):
        ax.grid(axis="x", color="#e5e9ee", linewidth=0.8)
        ax.grid(axis="y", visible=False)
        for i, (_name, p10, p50, p90, point, hi) in enumerate(rows):
            colour = ORANGE if hi else BLUE
            if p10 is not None and p90 is not None and not (math.isnan(p10) or math.isnan(p90)):
                ax.plot([p10, p90], [i, i], color=colour, linewidth=5, alpha=0.35, solid_capstyle="butt")
            if p50 is not None and not math.isnan(p50):
                ax.plot([p50], [i], marker="|", markersize=13, color=colour)
            if point is not None and not math.isnan(point):
                ax.plot([point], [i], marker="o", markersize=6, color=colour)
        ax.set_yticks(range(len(rows)), [r[0] for r in rows])
        ax.invert_yaxis()
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel, fontsize=9)
        ax.xaxis.set_major_formatter(MONEY_AXIS)
    return _uri(fig)


Panel = tuple[str, Sequence[str], Sequence[float | None], Sequence[float | None], Callable[[float], str]]


def small_multiples(panels: Sequence[Panel], *, ncols: int = 3) -> str:
    """One small line chart per KPI (title, x labels, values, targets, tick formatter)."""
    nrows = max(1, math.ceil(len(panels) / ncols))
    fig, axes = _new(width=8.6, height=2.3 * nrows, ncols=ncols, nrows=nrows)
    for ax, (title, xs, values, targets, fmt) in zip(axes, panels, strict=False):
        x = range(len(xs))
        ax.plot(x, _finite(values), color=BLUE, marker="o", markersize=2.8, linewidth=1.5)
        tgt = _finite(targets)
        if any(not math.isnan(t) for t in tgt):
            ax.plot(x, tgt, color=ORANGE, linestyle="--", linewidth=1.1)
        ax.set_title(textwrap.fill(title, 34), fontsize=9)
        step = max(1, len(xs) // 4)
        ax.set_xticks(list(x)[::step], list(xs)[::step], fontsize=7.5)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p, f=fmt: f(v)))
        ax.tick_params(axis="y", labelsize=7.5)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    return _uri(fig)
