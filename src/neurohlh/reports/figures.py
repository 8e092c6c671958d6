"""Report figures drawn with matplotlib's object interface (no pyplot, no global backend), each returned as SVG
text plus PNG bytes.

Figure functions take plain, already computed data (group samples, flows, survival steps, counts)
so they stay testable and never touch the cohort.
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from neurohlh.reports.model import Figure

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

#: Colour per group label, colour-blind safe (Okabe-Ito).
PALETTE = {
    "1.1": "#0072B2", "1.2": "#D55E00", "1.3": "#009E73", "Pattern 1": "#CC79A7", "Pattern 2": "#E69F00",
    "2": "#E69F00", "1": "#CC79A7", "none": "#999999",
}
_FALLBACK = ["#56B4E9", "#F0E442", "#000000", "#999999"]
#: Points drawn per group at most (a random, seeded subsample beyond that; the box uses all values).
MAX_POINTS = 1500
PNG_DPI = 150
#: zlib level of the PNG files (1 = fastest; lossless at every level).
PNG_COMPRESS_LEVEL = 1


def _colour(label: str, i: int) -> str:
    return PALETTE.get(label, _FALLBACK[i % len(_FALLBACK)])


def _style() -> dict[RcKeyType, Any]:
    return {"font.size": 10, "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none",
            "font.family": "DejaVu Sans", "axes.titlesize": 11, "axes.titleweight": "bold"}


def _canvas(figsize: tuple[float, float]) -> tuple[MplFigure, Axes]:
    """A figure of its own (no pyplot state: it is freed when the last reference goes) with one axes."""
    fig = MplFigure(layout="constrained", figsize=figsize)
    return fig, fig.add_subplot()


def _finish(fig: MplFigure, key: str, title: str, caption: str) -> Figure:
    """The PNG (``PNG_DPI``) and the SVG of ``fig``, laid out once.

    Each ``savefig`` draws the whole figure and, with a layout engine, first lays it out again. The constrained
    layout is computed in the PNG's draw, then frozen (layout engine ``"none"`` keeps every axes where it was put),
    so the SVG, drawn from the same positions, skips a second layout. zlib level 1 encodes the PNG about a third
    faster than Pillow's default (level 6) for a slightly larger file; the pixels are the same.
    """
    svg, png = io.StringIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": "neurohlh"},
                pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    fig.set_layout_engine("none")
    fig.savefig(svg, format="svg", metadata={"Date": None})
    return Figure(key, title, caption, svg.getvalue(), png.getvalue())


def age_by_group_figure(groups: Mapping[str, Sequence[float]], caption: str = "", seed: int = 0) -> Figure:
    """Box plots of age at onset (months) per group with the individual values overlaid.

    ``groups`` maps a label (``"1.1"``, ``"1.2"``, ``"1.3"``, ``"Pattern 1"``, ``"Pattern 2"``) to the ages;
    missing ages (NaN) are left out and each tick label states its ``n``.
    """
    rng = np.random.default_rng(seed)
    labels = list(groups)
    data = [np.asarray(groups[k], dtype=float) for k in labels]
    data = [d[~np.isnan(d)] for d in data]
    with rc_context(_style()):
        fig, ax = _canvas((7.2, 4.0))
        positions = np.arange(1, len(labels) + 1)
        nonempty = [i for i, d in enumerate(data) if d.size]
        if nonempty:
            ax.boxplot([data[i] for i in nonempty], positions=positions[nonempty], widths=0.5,
                       showfliers=False, medianprops={"color": "black", "linewidth": 1.6})
        for i, (label, d) in enumerate(zip(labels, data)):
            shown = d if d.size <= MAX_POINTS else rng.choice(d, MAX_POINTS, replace=False)
            x = positions[i] + rng.uniform(-0.16, 0.16, shown.size)
            ax.scatter(x, shown, s=14, alpha=0.75, color=_colour(label, i), edgecolor="white", linewidth=0.4,
                       zorder=3)
        ax.set_xticks(positions, [f"{k}\n(n = {d.size})" for k, d in zip(labels, data)])
        if len(labels) > 3 and "Pattern 1" in labels:
            split = labels.index("Pattern 1") + 0.5
            ax.axvline(split, color="#bbbbbb", linewidth=0.8, linestyle=":")
        ax.set_ylabel("Age at onset (months)")
        ax.set_ylim(bottom=0)
        ax.set_title("Age at onset by onset subpattern and pattern")
    return _finish(fig, "age_by_pattern", "Age at onset by pattern and subpattern", caption)


def _band(ax, x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float], colour: str) -> None:  # noqa: ANN001
    """A flow band from the interval y0 at x0 to the interval y1 at x1 (cubic Bezier edges)."""
    xm = (x0 + x1) / 2
    verts = [(x0, y0[0]), (xm, y0[0]), (xm, y1[0]), (x1, y1[0]), (x1, y1[1]), (xm, y1[1]), (xm, y0[1]),
             (x0, y0[1]), (x0, y0[0])]
    codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO, MplPath.CURVE4,
             MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
    ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=colour, alpha=0.45, edgecolor="none"))


def alluvial_figure(flows: Mapping[tuple[str, str], int], left_title: str = "Onset",
                    right_title: str = "Last lesional study", caption: str = "") -> Figure:
    """Two-stage alluvial diagram: patients flowing from an onset category to a follow-up category.

    ``flows`` maps ``(onset, last)`` to a patient count; node order follows :data:`PALETTE` order, then name.
    """
    order = {k: i for i, k in enumerate(PALETTE)}
    left = sorted({a for a, _ in flows}, key=lambda k: (order.get(k, 99), k))
    right = sorted({b for _, b in flows}, key=lambda k: (order.get(k, 99), k))
    total = sum(flows.values())
    gap = 0.04 * max(total, 1)
    with rc_context(_style()):
        fig, ax = _canvas((7.2, 4.4))
        ax.axis("off")

        def stack(nodes: list[str], sizes: Mapping[str, int]) -> dict[str, list[float]]:
            y, out = 0.0, {}
            for n in reversed(nodes):
                out[n] = [y, y + sizes[n]]
                y += sizes[n] + gap
            return out

        lsize = {k: sum(v for (a, _), v in flows.items() if a == k) for k in left}
        rsize = {k: sum(v for (_, b), v in flows.items() if b == k) for k in right}
        lpos, rpos = stack(left, lsize), stack(right, rsize)
        lcur = {k: lpos[k][1] for k in left}
        rcur = {k: rpos[k][1] for k in right}
        w = 0.06
        for a in left:
            for b in right:
                n = flows.get((a, b), 0)
                if not n:
                    continue
                _band(ax, w, 1 - w, (lcur[a] - n, lcur[a]), (rcur[b] - n, rcur[b]), _colour(a, left.index(a)))
                lcur[a] -= n
                rcur[b] -= n
        for nodes, pos, sizes, x, ha, dx in ((left, lpos, lsize, 0.0, "right", -0.015),
                                             (right, rpos, rsize, 1 - w, "left", w + 0.015)):
            for i, k in enumerate(nodes):
                y0, y1 = pos[k]
                ax.add_patch(Rectangle((x, y0), w, y1 - y0, color=_colour(k, i)))
                ax.text(x + dx, (y0 + y1) / 2, f"{k}  (n = {sizes[k]})", ha=ha, va="center", fontsize=10)
        top = max([v[1] for v in lpos.values()] + [v[1] for v in rpos.values()] + [1])
        ax.text(w / 2, top + gap, left_title, ha="center", va="bottom", fontweight="bold")
        ax.text(1 - w / 2, top + gap, right_title, ha="center", va="bottom", fontweight="bold")
        ax.set_xlim(-0.32, 1.32)
        ax.set_ylim(-gap, top + 3 * gap)
        ax.set_title("Evolution of pattern-1 subpatterns")
    return _finish(fig, "evolution", "Pattern evolution from onset to follow-up", caption)


def survival_figure(key: str, title: str, curves: Mapping[str, tuple[Sequence[float], Sequence[float], int]],
                    p_text: str, ylabel: str, caption: str = "",
                    censored: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                    at_risk: Mapping[str, Sequence[float]] | None = None) -> Figure:
    """Kaplan-Meier step curves, one per group: ``label -> (times, survival, n)``; ``p_text`` is printed.

    ``censored`` maps a label to the (times, survival) of its censoring marks, drawn as ticks. ``at_risk`` maps a
    label to its patients' times (event or censoring); a number-at-risk table is then drawn under the time axis,
    one row per group, one column per axis tick (:func:`neurohlh.endpoints.number_at_risk`).
    """
    from neurohlh.endpoints import number_at_risk

    rows = list(at_risk) if at_risk else []
    with rc_context(_style()):
        if rows:
            fig = MplFigure(layout="constrained", figsize=(6.4, 4.0 + 0.28 * len(rows)))
            ax, table = fig.subplots(2, 1, sharex=True,
                                     gridspec_kw={"height_ratios": [4.0, 0.45 + 0.3 * len(rows)]})
        else:
            fig, ax = _canvas((6.4, 4.0))
        for i, (label, (t, s, n)) in enumerate(curves.items()):
            ax.step(np.asarray(t, float), np.asarray(s, float), where="post", color=_colour(label, i),
                    linewidth=1.8, label=f"{label} (n = {n})")
            if censored and label in censored and len(censored[label][0]):
                ax.plot(censored[label][0], censored[label][1], linestyle="none", marker="|", markersize=8,
                        color=_colour(label, i))
        ax.set_ylim(0, 1.03)
        ax.set_xlim(left=0)
        ax.set_ylabel(ylabel)
        ax.legend(frameon=False, loc="lower left")
        ax.text(0.98, 0.97, p_text, transform=ax.transAxes, ha="right", va="top")
        ax.set_title(title)
        if rows and at_risk is not None:
            low, high = ax.get_xlim()
            ticks = [t for t in ax.get_xticks() if low <= t <= high]
            for r, label in enumerate(rows):
                y = len(rows) - 1 - r
                table.text(-0.02, y, label, transform=table.get_yaxis_transform(), ha="right", va="center",
                           color=_colour(label, list(curves).index(label) if label in curves else r), fontsize=9)
                for t, n in zip(ticks, number_at_risk(at_risk[label], ticks)):
                    table.text(t, y, str(n), ha="center", va="center", fontsize=9)
            table.set_ylim(-0.6, len(rows) - 0.4)
            table.set_yticks([])
            for side in ("left", "top", "right"):
                table.spines[side].set_visible(False)
            table.set_title("Number at risk", fontsize=9, fontweight="normal", loc="left")
            table.set_xlabel("Months from HLH diagnosis")
            ax.tick_params(labelbottom=True)
        else:
            ax.set_xlabel("Months from HLH diagnosis")
    return _finish(fig, key, title, caption)


def lesion_distribution_figure(rows: Sequence[tuple[str, int, int]], caption: str = "") -> Figure:
    """Horizontal bars: percentage of MR studies with a finding, labelled ``n/N``; rows in the given order."""
    labels = [r[0] for r in rows]
    pct = [100.0 * n / d if d else 0.0 for _, n, d in rows]
    with rc_context(_style()):
        fig, ax = _canvas((7.2, 0.34 * len(rows) + 1.2))
        y = np.arange(len(rows))[::-1]
        ax.barh(y, pct, color="#0072B2", height=0.62)
        for yi, p, (_, n, d) in zip(y, pct, rows):
            ax.text(p + 1, yi, f"{n}/{d}", va="center", fontsize=9)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 110)
        ax.set_xlabel("MR studies with the finding (%)")
        ax.set_title("Lesion distribution by region (study level)")
    return _finish(fig, "lesion_distribution", "Lesion distribution by region", caption)
