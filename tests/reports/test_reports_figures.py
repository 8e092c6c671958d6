"""Figures are laid out once and written as PNG and SVG from the same positions."""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

from neurohlh.reports import figures


@pytest.fixture
def layouts(monkeypatch):
    """Counts the constrained layouts computed."""
    calls = []
    execute = ConstrainedLayoutEngine.execute

    def counted(self, fig):
        calls.append(fig)
        return execute(self, fig)

    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", counted)
    return calls


def _bars():
    fig, ax = figures._canvas((6.0, 3.0))
    ax.barh([0, 1], [40.0, 75.0], color="#0072B2")
    ax.set_yticks([0, 1], ["Basal ganglia", "Cerebellum"])
    ax.set_xlim(0, 100)
    ax.set_xlabel("MR studies with the finding (%)")
    return fig, ax


def test_each_figure_is_laid_out_once_for_both_formats(layouts):
    rows = [("Basal ganglia", 3, 10), ("Cerebellum", 5, 10), ("Brainstem", 0, 10)]
    figures.lesion_distribution_figure(rows)
    figures.age_by_group_figure({"1.1": [10.0, 20.0], "Pattern 2": [30.0]})
    assert len(layouts) == 2  # one per figure, in its PNG draw; the SVG reuses the positions


def test_png_and_svg_share_the_layout_and_the_png_pixels_are_exact(layouts):
    fig, ax = _bars()
    out = figures._finish(fig, "bars", "Bars", "")
    assert len(layouts) == 1
    x0, y0, x1, y1 = ax.get_position().extents  # figure fractions, fixed by the one layout
    assert 0 < x0 < x1 < 1 and 0 < y0 < y1 < 1
    # PNG: 6 x 3 inches at 150 dpi = 900 x 450 pixels; the bottom spine (black) is the row (1 - y0) * 450
    png = np.asarray(Image.open(io.BytesIO(out.png)).convert("RGBA"))
    assert png.shape == (450, 900, 4)
    spine_row = round((1 - y0) * 450)
    middle = round((x0 + x1) / 2 * 900)
    dark_rows = [r for r in range(spine_row - 2, spine_row + 3) if png[r, middle, :3].max() < 80]
    assert dark_rows, (spine_row, png[spine_row - 2:spine_row + 3, middle])
    # SVG: 6 x 3 inches = 432 x 216 pt; the bottom spine runs from x0 * 432 to x1 * 432 at (1 - y0) * 216
    assert 'width="432pt" height="216pt"' in out.svg
    lines = [tuple(map(float, m.groups())) for m in re.finditer(
        r'<path d="M ([\d.]+) ([\d.]+)\s*L ([\d.]+) ([\d.]+)\s*"\s*style="fill: none; stroke: #000000', out.svg)]
    bottom = [(a, b, c, d) for a, b, c, d in lines if b == d and abs(b - (1 - y0) * 216) < 0.01]
    assert bottom and abs(bottom[0][0] - x0 * 432) < 0.01 and abs(bottom[0][2] - x1 * 432) < 0.01
    # The PNG's fast zlib level is lossless: the decoded pixels are those of a fresh 150 dpi draw.
    fig.set_dpi(figures.PNG_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    assert np.array_equal(png, np.asarray(canvas.buffer_rgba()))
