"""A chart's legend stays inside the chart: columns that would run past its right edge are
folded into more rows, never cut off."""

from __future__ import annotations

import pytest

from runload.report.plot import Figure, Legend, Panel, Swatch, Text, layout, text_width

LONG = "0.8-1.3, the range often quoted (weak evidence)"


def _figure(labels: list[str], cols: int) -> Figure:
    panel = Panel([Legend(Swatch("patch", fill="#4477aa"), label) for label in labels])
    return Figure("A chart", [panel], (739000.0, 739100.0), legend_cols=cols)  # ordinal days in 2024


def _legend_texts(fig: Figure) -> list[Text]:
    labels = {it.label for p in fig.panels for it in p.items if isinstance(it, Legend)}
    return [s for s in layout(fig).shapes if isinstance(s, Text) and s.text in labels]


@pytest.mark.parametrize("labels, cols", [
    (["ratio (coupled 7/28 d, distance)", LONG, "1.5", "no data (not rest)"], 2),
    ([LONG, LONG + " again", "short"], 3),
    (["a", "b", "c", "d", "e", "f"], 3),
])
def test_every_legend_label_ends_inside_the_chart(labels: list[str], cols: int) -> None:
    fig = _figure(labels, cols)
    drawing = layout(fig)
    texts = _legend_texts(fig)
    assert {t.text for t in texts} == set(labels)  # every label drawn once
    for t in texts:
        assert t.x + text_width(t.text, t.size) <= drawing.width, t.text


def test_short_labels_keep_the_columns_asked_for() -> None:
    fig = _figure(["a", "b", "c", "d"], 2)
    assert len({round(t.x) for t in _legend_texts(fig)}) == 2


def test_a_label_too_long_to_share_a_row_gets_a_column_of_its_own() -> None:
    fig = _figure(["ratio (coupled 7/28 d, distance)", LONG, "1.5", "no data (not rest)"], 2)
    assert len({round(t.x) for t in _legend_texts(fig)}) == 1
