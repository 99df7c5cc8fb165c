"""A small plotting model for the report's charts: what a chart shows, laid out as shapes.

A chart (:mod:`runload.report.charts`) is a :class:`Figure`: a title, one or more panels of
items in data coordinates (bars, lines, steps, points, areas, bands, hatched gaps, reference
lines, notes), one x axis (dates or numbers) and a legend under the plot. :func:`layout` turns it
into a list of shapes in points (1/72 inch, y down) that :mod:`runload.report.svg` writes as SVG
text and :mod:`runload.report.raster` paints as a PNG: one layout, so the web page's chart and the
mail's picture are the same drawing.

The look follows the report's former matplotlib charts: a 4.8-inch wide figure, bold title at the
left, left and bottom axis lines only, light horizontal grid lines, 10 pt text and an 8 pt legend
below the plot.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

PT_PER_IN = 72.0
WIDTH_IN = 4.8
FONT = 10.0
LEGEND_FONT = 8.0
TICK = 3.5  # tick length and the gap between a tick and its label
GAP_FILL, GAP_HATCH = "#e6e6e6", "#999999"

Hatch = Literal["///", ".."] | None
Marker = Literal["o", "s", "^", "v", "D"]


# ---------------------------------------------------------------- what a chart shows (data space)
@dataclass(frozen=True)
class Swatch:
    """A legend entry's picture: a patch, a line (with an optional marker) or a marker alone."""

    kind: Literal["patch", "line", "marker"]
    fill: str = "none"
    edge: str = "none"
    alpha: float = 1.0
    hatch: Hatch = None
    width: float = 1.0
    dash: bool = False
    marker: Marker | None = None


@dataclass(frozen=True)
class Bars:
    """Vertical bars centred on ``xs`` (horizontal with ``horizontal``: ``xs`` are rows)."""

    xs: Sequence[float]
    heights: Sequence[float]
    colours: Sequence[str] | str
    width: float
    bottoms: Sequence[float] | None = None
    edge: str = "none"
    hatch: Hatch = None
    horizontal: bool = False
    label: str | None = None

    def colour(self, i: int) -> str:
        return self.colours if isinstance(self.colours, str) else self.colours[i]

    def swatch(self) -> Swatch:
        return Swatch("patch", fill=self.colour(0) if self.heights else "none", edge=self.edge, hatch=self.hatch)


@dataclass(frozen=True)
class Line:
    """A line through (x, y); a ``None`` y breaks it. ``step`` draws it as steps (value held until
    the next x); ``marker`` marks each point."""

    xs: Sequence[float]
    ys: Sequence[float | None]
    colour: str
    width: float = 1.0
    dash: bool = False
    step: bool = False
    marker: Marker | None = None
    marker_size: float = 4.0  # diameter in points
    label: str | None = None

    def swatch(self) -> Swatch:
        return Swatch("line", edge=self.colour, width=self.width, dash=self.dash, marker=self.marker)


@dataclass(frozen=True)
class Points:
    """Markers at (x, y); ``sizes`` is each one's area in square points (matplotlib's ``s``).
    Points may lie outside the plot (a mark above its top)."""

    xs: Sequence[float]
    ys: Sequence[float]
    fill: str
    edge: str = "none"
    sizes: Sequence[float] | float = 22.0
    marker: Marker = "o"
    edge_width: float = 1.0
    label: str | None = None

    def size(self, i: int) -> float:
        return self.sizes if isinstance(self.sizes, (int, float)) else self.sizes[i]

    def swatch(self) -> Swatch:
        return Swatch("marker", fill=self.fill, edge=self.edge, marker=self.marker)


@dataclass(frozen=True)
class Area:
    """The area between ``ys`` and 0; a ``None`` y leaves a hole."""

    xs: Sequence[float]
    ys: Sequence[float | None]
    colour: str
    alpha: float = 1.0
    label: str | None = None

    def swatch(self) -> Swatch:
        return Swatch("patch", fill=self.colour, alpha=self.alpha)


@dataclass(frozen=True)
class Band:
    """A band across the plot: ``lo``-``hi`` on the y axis, or on the x axis with ``vertical``;
    ``hatch`` draws it as a data gap (grey, hatched)."""

    lo: float
    hi: float
    colour: str
    alpha: float = 1.0
    vertical: bool = False
    hatch: Hatch = None
    hatch_colour: str = GAP_HATCH
    label: str | None = None

    def swatch(self) -> Swatch:
        return Swatch("patch", fill=self.colour, alpha=self.alpha, hatch=self.hatch,
                      edge=self.hatch_colour if self.hatch else "none")


@dataclass(frozen=True)
class Rule:
    """Horizontal reference lines: across the plot at ``y`` (``spans`` None), or one short line
    per (x0, x1, y) of ``spans``."""

    y: float | None
    colour: str
    width: float = 1.0
    dash: bool = False
    spans: Sequence[tuple[float, float, float]] | None = None
    label: str | None = None

    def swatch(self) -> Swatch:
        return Swatch("line", edge=self.colour, width=self.width, dash=self.dash)


@dataclass(frozen=True)
class Note:
    """Text at (x, y) in data coordinates."""

    x: float
    y: float
    text: str
    size: float = LEGEND_FONT
    colour: str = "#000000"
    anchor: Literal["start", "middle", "end"] = "start"
    valign: Literal["top", "middle"] = "middle"
    label: None = None

    def swatch(self) -> Swatch:
        return Swatch("patch")


@dataclass(frozen=True)
class Legend:
    """A legend entry with nothing drawn in the plot."""

    swatch_: Swatch
    label: str

    def swatch(self) -> Swatch:
        return self.swatch_


Item = Bars | Line | Points | Area | Band | Rule | Note | Legend


@dataclass
class Panel:
    items: list[Item] = field(default_factory=list)
    ylabel: str = ""
    ylim: tuple[float, float] | None = None
    ygrid: bool = False
    categories: Sequence[str] | None = None  # y tick labels at rows 0, 1, ... (horizontal bars)
    ratio: float = 1.0  # height relative to the other panels

    def add(self, item: Item) -> Item:
        self.items.append(item)
        return item


@dataclass
class Figure:
    """A chart: ``title`` (also the SVG's accessible title), panels top to bottom sharing one x
    axis, dates from ``xlim`` (ordinal days) or numbers with ``xlabel``."""

    title: str
    panels: list[Panel]
    xlim: tuple[float, float]
    dates: bool = True
    xlabel: str = ""
    height_in: float = 3.0
    left_in: float = 0.6
    legend_cols: int = 2


def day(d: date) -> float:
    """A date as an x value (ordinal days)."""
    return float(d.toordinal())


# ---------------------------------------------------------------- shapes (points, y down)
@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    alpha: float = 1.0
    edge: str = "none"
    edge_width: float = 1.0
    hatch: Hatch = None
    hatch_colour: str = GAP_HATCH


@dataclass(frozen=True)
class Poly:
    points: tuple[tuple[float, float], ...]
    edge: str = "none"
    width: float = 1.0
    dash: bool = False
    fill: str = "none"
    alpha: float = 1.0


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    marker: Marker
    size: float  # width in points
    fill: str
    edge: str = "none"
    edge_width: float = 1.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline's middle (valign middle) or top
    text: str
    size: float = FONT
    anchor: Literal["start", "middle", "end"] = "start"
    bold: bool = False
    colour: str = "#000000"
    rotate: bool = False  # read bottom to top
    valign: Literal["baseline", "middle", "top"] = "baseline"


Shape = Rect | Poly | Mark | Text


@dataclass(frozen=True)
class Drawing:
    """A laid-out chart: its size in points, its title and its shapes in drawing order."""

    width: float
    height: float
    title: str
    shapes: tuple[Shape, ...]


# DejaVu Sans advance widths (em) for the characters charts use; the rest count as 0.6 em
_NARROW = dict.fromkeys("ijl'|", 0.28) | dict.fromkeys(".,:; ", 0.32) | dict.fromkeys("ft/()[]-", 0.37) \
    | {"r": 0.41, "s": 0.52, "z": 0.53, "c": 0.55, "m": 0.97, "w": 0.82, "%": 0.95, "+": 0.84, "M": 0.86, "W": 0.99}


def text_width(s: str, size: float) -> float:
    """An estimate of ``s``'s width in points at ``size`` (for margins and legend columns)."""
    em = 0.0
    for ch in s:
        em += _NARROW.get(ch, 0.7 if ch.isupper() else 0.64 if ch.isdigit() else 0.6)
    return em * size


def nice_ticks(lo: float, hi: float, bins: int) -> list[float]:
    """Round tick values inside [lo, hi], at most ``bins`` steps apart end to end (steps 1, 2,
    2.5, 5 x 10^k, as matplotlib chooses them)."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, bins)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9)
    out = []
    k = first
    while k * step <= hi + 1e-9 * step:
        out.append(round(k * step, 10))
        k += 1
    return out


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """Tick values with the same number of decimals, as few as they need ("0.0, 2.5, 5.0")."""
    for decimals in range(0, 6):
        if all(abs(round(v, decimals) - v) < 1e-9 for v in ticks):
            break
    return [f"{v:.{decimals}f}".replace("-0", "0") if abs(v) < 1e-9 else f"{v:.{decimals}f}" for v in ticks]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    last = (date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m + 1, min(d.day, last))


def date_ticks(lo: float, hi: float) -> list[float]:
    """Mondays every 4 weeks between ``lo`` and ``hi``, in the phase matplotlib's
    ``WeekdayLocator(MO, interval=4)`` gives them: every 4th day from the window's start less
    the window's length (in months and days), the Mondays of those."""
    vmin, vmax = date.fromordinal(math.ceil(lo)), date.fromordinal(math.floor(hi))
    months = (vmax.year - vmin.year) * 12 + vmax.month - vmin.month
    if _add_months(vmin, months) > vmax:
        months -= 1
    days = (vmax - _add_months(vmin, months)).days
    start = _add_months(vmin, -months) - timedelta(days=days)
    d = vmin + timedelta(days=(start - vmin).days % 4)  # the first day of the 4-day rhythm in the window
    while d.weekday() != 0:
        d += timedelta(days=4)
    out = []
    while d <= vmax:
        out.append(float(d.toordinal()))
        d += timedelta(weeks=4)
    return out


# ---------------------------------------------------------------- layout
def _y_extent(items: Sequence[Item]) -> tuple[float, float, bool]:
    """(min, max, sticky at zero) of what the items draw on the y axis."""
    ys: list[float] = []
    sticky = False
    for it in items:
        if isinstance(it, Bars) and not it.horizontal:
            bottoms = it.bottoms or [0.0] * len(it.heights)
            ys += [b + h for b, h in zip(bottoms, it.heights)] + list(bottoms)
            sticky = sticky or bool(it.heights)
        elif isinstance(it, (Line, Area)):
            ys += [y for y in it.ys if y is not None]
            if isinstance(it, Area):
                ys.append(0.0)
        elif isinstance(it, Points):
            ys += list(it.ys)
        elif isinstance(it, Band) and not it.vertical:
            ys += [it.lo, it.hi]
        elif isinstance(it, Rule):
            ys += [it.y] if it.y is not None else [s[2] for s in it.spans or ()]
    if not ys:
        return 0.0, 1.0, False
    return min(ys), max(ys), sticky


def _ylim(panel: Panel) -> tuple[float, float]:
    if panel.ylim is not None:
        return panel.ylim
    if panel.categories is not None:
        return -0.6, len(panel.categories) - 0.4
    lo, hi, sticky = _y_extent(panel.items)
    if hi - lo < 1e-12:
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.05 * (hi - lo)
    lo2 = lo if sticky and lo >= 0 and lo - pad < 0 else lo - pad
    return (0.0 if sticky and lo == 0 else lo2), hi + pad


@dataclass
class _Box:
    left: float
    top: float
    width: float
    height: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    horizontal: bool = False

    def px(self, x: float) -> float:
        a, b = self.xlim
        return self.left + (x - a) / (b - a) * self.width

    def py(self, y: float) -> float:
        a, b = self.ylim
        return self.top + self.height - (y - a) / (b - a) * self.height

    def points(self, xys: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        """(:meth:`px`, :meth:`py`) of each point, the same numbers in one pass."""
        a, b = self.xlim
        c, d = self.ylim
        left, width, base, height = self.left, self.width, self.top + self.height, self.height
        dx, dy = b - a, d - c
        return [(left + (x - a) / dx * width, base - (y - c) / dy * height) for x, y in xys]

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def _legend_entries(fig: Figure) -> list[tuple[Swatch, str]]:
    """The labelled items in the order they were added, the lowest panel's first."""
    return [(it.swatch(), it.label) for p in fig.panels[::-1] for it in p.items if it.label]


def _z(it: Item) -> int:
    """Drawing order: data gaps at the back, then bands, areas, bars and lines, points, and
    reference lines on top."""
    if isinstance(it, Band):
        return -1 if it.hatch else 0
    return {Area: 1, Points: 3, Note: 3, Rule: 4}.get(type(it), 2)


def layout(fig: Figure) -> Drawing:
    """The figure as shapes: panels, axes, ticks, title and legend placed as the report's charts
    are (a fixed left margin, the legend in rows under the plot)."""
    width = WIDTH_IN * PT_PER_IN
    height = fig.height_in * PT_PER_IN
    entries = _legend_entries(fig)
    x0 = (fig.left_in / WIDTH_IN - 0.05) * width
    ncols = _legend_cols(entries, fig.legend_cols, width - x0)
    rows = -(-len(entries) // ncols) if entries else 0
    bottom_in = 0.45 + (0.2 if fig.xlabel else 0.0) + 0.22 * rows + (0.1 if rows else 0.0)
    left = fig.left_in * PT_PER_IN
    right = 0.96 * width
    top = 0.35 * PT_PER_IN
    bottom = height - bottom_in * PT_PER_IN
    shapes: list[Shape] = []

    total = sum(p.ratio for p in fig.panels)
    n = len(fig.panels)
    hspace = 0.12
    unit = (bottom - top) / (total + hspace * (n - 1) * total / n)
    y = top
    boxes = []
    for p in fig.panels:
        h = unit * p.ratio
        boxes.append(_Box(left, y, right - left, h, fig.xlim, _ylim(p)))
        y += h + hspace * unit * total / n
    for i, (p, box) in enumerate(zip(fig.panels, boxes)):
        shapes += _panel(p, box, last=i == n - 1, fig=fig)
    shapes.append(Text(left, top - 8.0, fig.title, FONT, "start", bold=True))
    if fig.xlabel:
        shapes.append(Text((left + right) / 2, boxes[-1].bottom + TICK * 2 + FONT * 2.3, fig.xlabel, FONT, "middle"))
    shapes += _legend(entries, ncols, x0, height)
    return Drawing(width, height, fig.title, tuple(shapes))


def _panel(p: Panel, box: _Box, *, last: bool, fig: Figure) -> list[Shape]:
    out: list[Shape] = []
    ylo, yhi = box.ylim
    # y ticks and grid
    if p.categories is not None:
        yticks = [float(i) for i in range(len(p.categories))]
        ylabels = [str(c) for c in p.categories]
    else:
        yticks = nice_ticks(ylo, yhi, max(1, int(box.height / (2 * FONT))))
        ylabels = tick_labels(yticks)
    items = sorted(p.items, key=_z)
    back = [it for it in items if _z(it) <= 0]
    for it in back:
        out += _item(it, box)
    if p.ygrid:  # light grid lines over the gaps, under the data
        out += [Poly(((box.left, box.py(v)), (box.right, box.py(v))), "#e1e1e1", 0.8) for v in yticks]
    for it in items[len(back):]:
        out += _item(it, box)
    # axes: left and bottom lines, ticks, labels
    label_w = 0.0
    for v, s in zip(yticks, ylabels):
        yy = box.py(v)
        out.append(Poly(((box.left - TICK, yy), (box.left, yy)), "#000000", 0.8))
        out.append(Text(box.left - 2 * TICK, yy, s, FONT, "end", valign="middle"))
        label_w = max(label_w, text_width(s, FONT))
    out.append(Poly(((box.left, box.top), (box.left, box.bottom)), "#000000", 0.8))
    out.append(Poly(((box.left, box.bottom), (box.right, box.bottom)), "#000000", 0.8))
    if p.ylabel:
        out.append(Text(box.left - 2 * TICK - label_w - 4.0 - FONT * 0.6, (box.top + box.bottom) / 2, p.ylabel,
                        FONT, "middle", rotate=True, valign="middle"))
    # tick marks under every panel, their labels under the last one only
    if fig.dates:
        xticks = date_ticks(*box.xlim)
        xlabels = [date.fromordinal(int(v)).strftime("%d %b") for v in xticks]
    else:
        xticks = nice_ticks(box.xlim[0], box.xlim[1], max(1, int(box.width / (3 * FONT))))
        xlabels = tick_labels(xticks)
    for v, s in zip(xticks, xlabels):
        xx = box.px(v)
        out.append(Poly(((xx, box.bottom), (xx, box.bottom + TICK)), "#000000", 0.8))
        if last:
            out.append(Text(xx, box.bottom + 2 * TICK, s, FONT, "middle", valign="top"))
    return out


def _clip_x(box: _Box, a: float, b: float) -> tuple[float, float]:
    return max(box.left, min(a, b)), min(box.right, max(a, b))


def _item(it: Item, box: _Box) -> list[Shape]:
    out: list[Shape] = []
    if isinstance(it, Band):
        if it.vertical:
            x0, x1 = _clip_x(box, box.px(it.lo), box.px(it.hi))
            if x1 > x0:
                out.append(Rect(x0, box.top, x1 - x0, box.height, it.colour, it.alpha, hatch=it.hatch,
                                hatch_colour=it.hatch_colour))
        else:
            y0, y1 = box.py(it.hi), box.py(it.lo)
            y0, y1 = max(box.top, y0), min(box.bottom, y1)
            if y1 > y0:
                out.append(Rect(box.left, y0, box.width, y1 - y0, it.colour, it.alpha))
    elif isinstance(it, Bars):
        bottoms = it.bottoms or [0.0] * len(it.heights)
        for i, (x, h, b) in enumerate(zip(it.xs, it.heights, bottoms)):
            if it.horizontal:  # x is the row, h the length
                y0, y1 = box.py(x + it.width / 2), box.py(x - it.width / 2)
                x0, x1 = box.px(b), box.px(b + h)
                out.append(Rect(x0, y0, x1 - x0, y1 - y0, it.colour(i), edge=it.edge, hatch=it.hatch,
                                hatch_colour=it.edge))
                continue
            x0, x1 = _clip_x(box, box.px(x - it.width / 2), box.px(x + it.width / 2))
            y0, y1 = box.py(b + h), box.py(b)
            if x1 > x0 and y1 > y0:
                out.append(Rect(x0, y0, x1 - x0, y1 - y0, it.colour(i), edge=it.edge, hatch=it.hatch,
                                hatch_colour=it.edge))
    elif isinstance(it, Area):
        for run in _runs(it.xs, it.ys):
            pts = box.points(run)
            base = box.points((x, 0.0) for x, _ in reversed(run))
            out.append(Poly(tuple(pts + base), fill=it.colour, alpha=it.alpha))
    elif isinstance(it, Line):
        for run in _runs(it.xs, it.ys):
            pts = box.points(run)
            if it.step:
                stepped = []
                for (x0, y0), (x1, _y1) in zip(pts, pts[1:]):
                    stepped += [(x0, y0), (x1, y0)]
                pts = stepped + [pts[-1]] if stepped else pts
            if len(pts) > 1:
                out.append(Poly(tuple(pts), it.colour, it.width, it.dash))
            if it.marker:
                out += [Mark(x, y, it.marker, it.marker_size, it.colour, it.colour) for x, y in pts]
    elif isinstance(it, Points):
        for i, (x, y) in enumerate(zip(it.xs, it.ys)):
            # a marker without its own edge has one in its fill colour (as matplotlib's scatter)
            edge = it.edge if it.edge != "none" else it.fill
            out.append(Mark(box.px(x), box.py(y), it.marker, math.sqrt(it.size(i)), it.fill, edge, it.edge_width))
    elif isinstance(it, Rule):
        spans = it.spans if it.spans is not None else [(box.xlim[0], box.xlim[1], it.y or 0.0)]
        for x0, x1, yv in spans:
            a, b = _clip_x(box, box.px(x0), box.px(x1))
            out.append(Poly(((a, box.py(yv)), (b, box.py(yv))), it.colour, it.width, it.dash))
    elif isinstance(it, Note):
        lines = it.text.split("\n")
        yy = box.py(it.y)
        for k, line in enumerate(lines):
            out.append(Text(box.px(it.x), yy + k * it.size * 1.2, line, it.size, it.anchor, colour=it.colour,
                            valign="top" if it.valign == "top" else "middle"))
    return out


def _runs(xs: Sequence[float], ys: Sequence[float | None]) -> list[list[tuple[float, float]]]:
    """The stretches of (x, y) without a missing y."""
    out: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = []
    for x, y in zip(xs, ys):
        if y is None or y != y:
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append((x, float(y)))
    if cur:
        out.append(cur)
    return out


_HANDLE, _PAD, _COLGAP, _ROWH = 2.0, 0.8, 2.0, 1.45  # legend spacing, in legend font sizes


def _legend_columns(entries: list[tuple[Swatch, str]], ncols: int) -> list[list[tuple[Swatch, str]]]:
    """The legend's columns, filled column by column as matplotlib fills them."""
    rows = -(-len(entries) // ncols)
    return [entries[c * rows:(c + 1) * rows] for c in range(ncols)]


def _legend_width(entries: list[tuple[Swatch, str]], ncols: int) -> float:
    fs = LEGEND_FONT
    cols = [col for col in _legend_columns(entries, ncols) if col]
    return 0.7 * fs + sum((_HANDLE + _PAD + _COLGAP) * fs + max(text_width(lab, fs) for _, lab in col)
                          for col in cols) - _COLGAP * fs


def _legend_cols(entries: list[tuple[Swatch, str]], wanted: int, room: float) -> int:
    """``wanted`` legend columns, or fewer when their labels would run past the chart's right
    edge (a label is never cut off)."""
    ncols = max(1, wanted)
    while ncols > 1 and entries and _legend_width(entries, ncols) > room:
        ncols -= 1
    return ncols


def _legend(entries: list[tuple[Swatch, str]], ncols: int, x0: float, height: float) -> list[Shape]:
    if not entries:
        return []
    fs = LEGEND_FONT
    rows = -(-len(entries) // ncols)
    handle, pad, colgap, rowh = _HANDLE * fs, _PAD * fs, _COLGAP * fs, _ROWH * fs
    cols = _legend_columns(entries, ncols)
    out: list[Shape] = []
    x = x0 + 0.3 * fs + 0.4 * fs
    top = height - 0.3 * fs - 0.4 * fs - rows * rowh
    for col in cols:
        if not col:
            continue
        for r, (sw, label) in enumerate(col):
            cy = top + r * rowh + rowh / 2
            out += _swatch(sw, x, cy, handle, fs)
            out.append(Text(x + handle + pad, cy, label, fs, "start", valign="middle"))
        x += handle + pad + max(text_width(lab, fs) for _, lab in col) + colgap
    return out


def _swatch(sw: Swatch, x: float, cy: float, w: float, fs: float) -> list[Shape]:
    if sw.kind == "patch":
        h = 0.7 * fs
        return [Rect(x, cy - h / 2, w, h, sw.fill, sw.alpha, edge="none" if sw.hatch == "///" else sw.edge,
                     edge_width=1.0, hatch=sw.hatch, hatch_colour=sw.edge if sw.edge != "none" else GAP_HATCH)]
    out: list[Shape] = []
    if sw.kind == "line":
        out.append(Poly(((x, cy), (x + w, cy)), sw.edge, sw.width, sw.dash))
        if sw.marker:
            out.append(Mark(x + w / 2, cy, sw.marker, 4.0, sw.edge, sw.edge))
        return out
    out.append(Mark(x + w / 2, cy, sw.marker or "o", math.sqrt(22.0), sw.fill, sw.edge))
    return out
