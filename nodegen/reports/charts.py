"""Small PNG charts as base64 text, for markdown metadata and self-contained HTML.

Uses `matplotlib.figure.Figure` with the Agg canvas directly (no pyplot): no global figure
state, safe in Dagster's threads and in headless CI. Figures are small (about 5x2.6 in at
70 dpi) so each PNG stays well under 40 KB and the markdown metadata stays light.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGSIZE = (5.2, 2.6)
DPI = 70


def _new_figure(figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, object]:
    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.tick_params(labelsize=7)
    ax.grid(True, alpha=0.3, linewidth=0.5)
    return fig, ax


def _encode(fig: Figure) -> str:
    fig.tight_layout(pad=0.4)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def line_chart(
    title: str,
    x: Sequence[object],
    series: dict[str, Sequence[float | None]],
    *,
    ylabel: str = "",
    ylim: tuple[float, float] | None = None,
) -> str:
    """One or more lines over a shared x axis (dates); None values leave gaps."""
    fig, ax = _new_figure()
    for label, ys in series.items():
        values = [float("nan") if y is None else float(y) for y in ys]
        ax.plot(list(x), values, marker="o", markersize=2, linewidth=1, label=label)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=7)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if len(series) > 1:
        ax.legend(fontsize=6, loc="best", ncol=2)
    fig.autofmt_xdate(rotation=30)
    return _encode(fig)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    ylabel: str = "",
    ylim: tuple[float, float] | None = None,
) -> str:
    """Grouped bars, one group per label (stage)."""
    fig, ax = _new_figure()
    n = max(len(series), 1)
    width = 0.8 / n
    positions = list(range(len(labels)))
    for i, (name, values) in enumerate(series.items()):
        ax.bar(
            [p + i * width - 0.4 + width / 2 for p in positions], list(values), width, label=name
        )
    ax.set_xticks(positions)
    ax.set_xticklabels(list(labels), rotation=25, ha="right", fontsize=6)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=7)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if len(series) > 1:
        ax.legend(fontsize=6)
    return _encode(fig)


def stacked_share_chart(
    title: str, labels: Sequence[str], shares: dict[str, Sequence[float]]
) -> str:
    """Horizontal 100% bars: each stage's traffic split across models."""
    fig, ax = _new_figure((FIGSIZE[0], FIGSIZE[1] + 0.5))
    left = [0.0] * len(labels)
    for model, values in shares.items():
        vals = list(values)
        ax.barh(list(labels), vals, left=left, label=model, height=0.6)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.set_xlim(0, 1)
    ax.set_title(title, fontsize=9)
    ax.tick_params(axis="y", labelsize=6)
    ax.invert_yaxis()
    ax.legend(fontsize=5, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4, frameon=False)
    return _encode(fig)
