"""A laid-out chart (:class:`runload.report.plot.Drawing`) painted as a PNG with Pillow.

For the weekly mails (mail programs show no SVG) and ``runload report --charts``. The shapes are
the SVG's, painted at the picture's size with smooth edges (see :class:`_Painter`: boxes with
exact edges, everything else drawn at twice the size on a mask of its own and scaled down);
text is set in DejaVu Sans (the font matplotlib ships, found without importing it) or, without
it, Pillow's own scalable font. The colours go into a palette made of the drawing's own inks
(:func:`_palette`). The same drawing gives the same bytes.
"""

from __future__ import annotations

import importlib.util
import io
import math
import operator
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from runload.report.plot import Drawing, Mark, Poly, Rect, Text

SUPERSAMPLE = 2  # smooth edges: drawn at twice the size and scaled down
LINE_PX = 3  # a box this thin is a line: its ends are rounded to whole pixels
SHADE_GAP = 10  # the least difference (in one of red, green, blue) between two colours of a palette
COMPRESS_LEVEL = 3  # zlib's: 6 takes twice the time for files a sixth smaller


def _font_file(bold: bool) -> Path | None:
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / "mpl-data" / "fonts" / "ttf" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
        if path.is_file():
            return path
    return None


@cache
def _font(size_px: int, bold: bool) -> Any:
    from PIL import ImageFont  # noqa: PLC0415 - Pillow only when a PNG is painted

    path = _font_file(bold)
    if path is not None:
        return ImageFont.truetype(str(path), size_px)
    return ImageFont.load_default(size_px)


@cache
def _rgb(colour: str, alpha: float = 1.0) -> tuple[int, int, int, int]:
    h = colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), round(255 * alpha)


def _dashes(pts: list[tuple[float, float]], on: float, off: float) -> list[list[tuple[float, float]]]:
    """A polyline cut into dashes of ``on`` with gaps of ``off``."""
    out: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = [pts[0]]
    drawing, left = True, on
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while seg - pos > left:
            pos += left
            t = pos / seg
            pt = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            if drawing:
                cur.append(pt)
                out.append(cur)
            else:
                cur = [pt]
            drawing = not drawing
            left = on if drawing else off
        left -= seg - pos
        if drawing:
            cur.append((x1, y1))
    if drawing and len(cur) > 1:
        out.append(cur)
    return out


def _spans(a: float, b: float) -> list[tuple[int, int, float]]:
    """The pixels from ``a`` to ``b`` on one axis as (first, past the last, how much of each is
    covered): a partly covered pixel at each end, whole ones between."""
    fa, fb = math.floor(a), math.floor(b)
    if fa == a and fb == b:
        return [(fa, fb, 1.0)]  # whole pixels only (``b`` > ``a``)
    if fa == fb:
        return [(fa, fa + 1, b - a)]
    ca = math.ceil(a)
    out = [(fa, ca, ca - a)] if ca > a else []
    if fb > ca:
        out.append((ca, fb, 1.0))
    if b > fb:
        out.append((fb, fb + 1, b - fb))
    return out


_NEAR = 1 / 32  # an edge this close to a pixel's border covers it all or none of it


def _axis_aligned(xs: list[float], ys: list[float]) -> bool:
    """Whether the polyline through (``xs``, ``ys``) runs only level and upright: no step
    along which both change (compared pairwise in C, a daily series is hundreds of points)."""
    return not any(map(operator.and_, map(operator.ne, xs, xs[1:]), map(operator.ne, ys, ys[1:])))


def _corners(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """An axis-aligned polyline by its ends and corners only (a step line holds runs of
    points in one line, and points twice)."""
    out = [pts[0]]
    for pt in pts[1:]:
        if pt == out[-1]:
            continue
        if len(out) > 1 and (out[-2][0] == out[-1][0] == pt[0] or out[-2][1] == out[-1][1] == pt[1]):
            out[-1] = pt  # on along the same line
        else:
            out.append(pt)
    return out


_ANCHORS = {(h, v): a + b for h, a in (("start", "l"), ("middle", "m"), ("end", "r"))
            for v, b in (("baseline", "s"), ("middle", "m"), ("top", "t"))}  # SVG's anchors as Pillow's

Paint = Callable[[Any, Callable[[float, float], tuple[float, float]]], None]


class _Painter:
    """Paints at the picture's own size. Boxes (bars, bands, axis-aligned lines) are filled
    exactly, a pixel on an edge blended by how much of it the box covers; everything with
    curved or slanted edges (markers, sloped lines, hatching, text) is drawn at
    :data:`SUPERSAMPLE` times the size on a mask of its own and scaled down, as smooth as a
    whole picture painted that way, for a fraction of the pixels. Markers and text come again
    and again (every chart of a mail run has the same legends and tick labels): each is drawn
    once."""

    def __init__(self, d: Drawing, scale: float) -> None:
        from PIL import Image, ImageDraw  # noqa: PLC0415 - Pillow only when a PNG is painted

        self.s = scale
        self.image = Image.new("RGB", (round(d.width * scale), round(d.height * scale)), "white")
        self.draw = ImageDraw.Draw(self.image, "RGBA")  # RGBA: translucent fills blend
        # the rectangles of Pillow's drawing cores (ImageDraw less its argument parsing): one that
        # blends, and one that sets pixels (an opaque fill: the same colours, without blending)
        self.blend = self.draw.draw.draw_rectangle
        self.solid = ImageDraw.Draw(self.image).draw.draw_rectangle
        self.paste = self.image.im.paste

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return x * self.s, y * self.s

    def box(self, x0: float, y0: float, x1: float, y1: float, colour: str, alpha: float = 1.0) -> None:
        """Fill the box from (x0, y0) to (x1, y1) (pixels, exact edges). The ends of a box at
        most :data:`LINE_PX` across (a line, a tick) are rounded to whole pixels: blended, they
        would show nothing but cost a rectangle each. An edge within :data:`_NEAR` of a pixel's
        border is moved onto it (written out: every bar, tick and line segment comes here)."""
        # each edge's nearest pixel border, snapped or not, is where a line's end is rounded to
        rx0, rx1, ry0, ry1 = round(x0), round(x1), round(y0), round(y1)
        if -_NEAR < x0 - rx0 < _NEAR:
            x0 = rx0
        if -_NEAR < x1 - rx1 < _NEAR:
            x1 = rx1
        if -_NEAR < y0 - ry0 < _NEAR:
            y0 = ry0
        if -_NEAR < y1 - ry1 < _NEAR:
            y1 = ry1
        if x1 <= x0 or y1 <= y0:
            return
        inks = _opacities(colour)
        if x0 == rx0 and x1 == rx1 and y0 == ry0 and y1 == ry1:
            # whole pixels (most bars, bands and ticks): one rectangle, covered all over
            a = round(255 * alpha)
            if a:
                (self.solid if a == 255 else self.blend)((rx0, ry0, rx1 - 1, ry1 - 1), inks[a], 1)
            return
        alpha *= 255
        if y1 - y0 <= LINE_PX:  # a level line (or a dot): its ends rounded, each row one rectangle
            xa, xb = rx0, (rx1 if rx1 > rx0 else rx0 + 1) - 1
            for ya, yb, cy in _spans(y0, y1) if x1 - x0 > LINE_PX else ((ry0, ry1 if ry1 > ry0 else ry0 + 1, 1.0),):
                a = round(alpha * cy)
                if a:
                    (self.solid if a == 255 else self.blend)((xa, ya, xb, yb - 1), inks[a], 1)
            return
        if x1 - x0 <= LINE_PX:  # an upright line: the same, by columns
            ya, yb = ry0, (ry1 if ry1 > ry0 else ry0 + 1) - 1
            for xa, xb, cx in _spans(x0, x1):
                a = round(alpha * cx)
                if a:
                    (self.solid if a == 255 else self.blend)((xa, ya, xb - 1, yb), inks[a], 1)
            return
        xs = _spans(x0, x1)
        ys = _spans(y0, y1)
        for ya, yb, cy in ys:
            for xa, xb, cx in xs:
                if cx < 1 and cy < 1:
                    continue  # a corner pixel: a speck of colour, left out
                a = round(alpha * cx * cy)
                if a:
                    (self.solid if a == 255 else self.blend)((xa, ya, xb - 1, yb - 1), inks[a], 1)

    def lay(self, colour: str, at: tuple[int, int], mask: Any) -> None:
        """``colour`` laid on through ``mask`` (0 leaves a pixel, 255 paints it) from ``at``:
        a picture of that colour pasted through the mask (Pillow blends each pixel as
        ImageDraw.bitmap does, in half the time; and twice as fast as its core fills a box
        through a mask with a colour)."""
        w, h = mask.size
        self.paste(_solid(colour, w, h), (at[0], at[1], at[0] + w, at[1] + h), mask.im)

    def smooth(self, colour: str, bounds: tuple[float, float, float, float], paint: Paint) -> None:
        """``paint(draw, at)`` on a mask of ``bounds`` at :data:`SUPERSAMPLE` times the size
        (``draw``: an ImageDraw on the mask, the many lines and dots of hatching drawn by its
        core ``draw.draw`` without ImageDraw's handling of arguments; ``at``: picture pixels
        to the mask's), scaled down and laid on in ``colour``."""
        from PIL import Image, ImageDraw  # noqa: PLC0415 - Pillow only when a PNG is painted

        k = SUPERSAMPLE
        left, top = math.floor(bounds[0]) - 1, math.floor(bounds[1]) - 1
        right, bottom = math.ceil(bounds[2]) + 1, math.ceil(bounds[3]) + 1
        mask = Image.new("L", ((right - left) * k, (bottom - top) * k), 0)
        paint(ImageDraw.Draw(mask), lambda x, y: ((x - left) * k, (y - top) * k))
        self.lay(colour, (left, top), mask.reduce(k))

    def rect(self, r: Rect) -> None:
        s = self.s
        x, y = r.x, r.y
        x0, y0, x1, y1 = x * s, y * s, (x + r.w) * s, (y + r.h) * s
        if r.fill != "none":
            self.box(x0, y0, x1, y1, r.fill, r.alpha)
        if r.hatch is None and r.edge == "none":
            return  # a bar or a band: the fill is all
        k = SUPERSAMPLE
        if r.hatch == "///":
            step = 6 * self.s * k
            width = max(1, round(0.9 * self.s * k))

            def hatch(draw: Any, at: Callable[[float, float], tuple[float, float]]) -> None:
                # the lines x + y = c (at the mask's size), in the same phase for every rect
                gx0, gy0, gx1, gy1 = x0 * k, y0 * k, x1 * k, y1 * k
                ox, oy = at(0.0, 0.0)
                line, ink = draw.draw.draw_lines, draw.draw.draw_ink(255)
                c = gx0 + gy0 - ((gx0 + gy0) % step)
                while c < gx1 + gy1:
                    a = (max(gx0, c - gy1), c - max(gx0, c - gy1))
                    b = (min(gx1, c - gy0), c - min(gx1, c - gy0))
                    if a[0] <= b[0]:
                        line(((a[0] + ox, a[1] + oy), (b[0] + ox, b[1] + oy)), ink, width)
                    c += step

            self.smooth(r.hatch_colour, (x0, y0, x1, y1), hatch)
        elif r.hatch == "..":
            step, rad = 4 * self.s, 0.8 * self.s

            def dots(draw: Any, at: Callable[[float, float], tuple[float, float]]) -> None:
                yy = y0 + step / 2
                ellipse, ink = draw.draw.draw_ellipse, draw.draw.draw_ink(255)
                while yy < y1:
                    xx = x0 + step / 2
                    while xx < x1:
                        (ax, ay), (bx, by) = at(xx - rad, yy - rad), at(xx + rad, yy + rad)
                        ellipse((ax, ay, bx, by), ink, 1)
                        xx += step
                    yy += step

            self.smooth(r.hatch_colour, (x0, y0, x1, y1), dots)
        if r.edge != "none" and (r.hatch is None or r.hatch == ".."):
            w = max(1, round(r.edge_width * self.s * k)) / k
            self.box(x0, y0, x1, y0 + w, r.edge)
            self.box(x0, y1 - w, x1, y1, r.edge)
            self.box(x0, y0 + w, x0 + w, y1 - w, r.edge)
            self.box(x1 - w, y0 + w, x1, y1 - w, r.edge)

    def poly(self, p: Poly) -> None:
        s = self.s
        k = SUPERSAMPLE
        if len(p.points) == 2 and p.fill == "none" and not p.dash:
            # one straight stroke (a grid line, a tick, an axis): level or upright, it is a box
            (xa, ya), (xb, yb) = p.points
            xa, ya, xb, yb = xa * s, ya * s, xb * s, yb * s
            if xa == xb or ya == yb:
                half = max(1, round(p.width * s * k)) / k / 2
                if ya == yb and xa != xb:
                    self.box(min(xa, xb), ya - half, max(xa, xb), ya + half, p.edge)
                elif ya != yb:
                    self.box(xa - half, min(ya, yb), xa + half, max(ya, yb), p.edge)
                return
        pts = [(x * s, y * s) for x, y in p.points]
        xs, ys = [x for x, _ in pts], [y for _, y in pts]
        if p.fill != "none":
            if len(pts) > 2:
                self.smooth(p.fill, (min(xs), min(ys), max(xs), max(ys)),
                            lambda draw, at: draw.polygon([at(x, y) for x, y in pts], fill=round(255 * p.alpha)))
            return
        width = max(1, round(p.width * self.s * k))  # at the supersampled size, as the mask draws it
        parts = _dashes(pts, 3.7 * self.s, 1.6 * self.s) if p.dash else [pts]
        if _axis_aligned(xs, ys):
            half = width / k / 2
            for part in parts:
                ends = _corners(part)
                for (xa, ya), (xb, yb) in zip(ends, ends[1:]):
                    # each stretch a box: where two meet, the level one runs on to fill the
                    # corner and the upright one stops short of it (no pixel painted twice)
                    ea = half if (xa, ya) != ends[0] else 0.0
                    eb = half if (xb, yb) != ends[-1] else 0.0
                    if ya == yb:
                        lo, hi = (xa - ea, xb + eb) if xa <= xb else (xb - eb, xa + ea)
                        self.box(lo, ya - half, hi, ya + half, p.edge)
                    else:
                        lo, hi = (ya + ea, yb - eb) if ya <= yb else (yb + eb, ya - ea)
                        self.box(xa - half, lo, xa + half, hi, p.edge)
            return
        pad = width / k

        def lines(draw: Any, at: Callable[[float, float], tuple[float, float]]) -> None:
            for part in parts:
                if width > 4:  # ImageDraw rounds a thick line's corners
                    draw.line([at(x, y) for x, y in part], fill=255, width=width, joint="curve")
                else:  # and draws a thin one as its core does
                    draw.draw.draw_lines([at(x, y) for x, y in part], draw.draw.draw_ink(255), width)

        self.smooth(p.edge, (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad), lines)

    def mark(self, m: Mark) -> None:
        s = self.s
        x, y = m.x * s, m.y * s
        r = m.size * s / 2
        colour, edge = m.fill, m.edge
        width = max(1, round(m.edge_width * s * SUPERSAMPLE)) if edge != "none" else 0
        left, top = math.floor(x - r) - 1, math.floor(y - r) - 1
        q = 4 * SUPERSAMPLE  # the marker's place within its first pixel, to an eighth of a pixel
        fill, line, side = _marker(m.marker, round((x - left) * q), round((y - top) * q), round(r * q),
                                   colour != "none", width)
        at = (left, top, left + side, top + side)
        if fill is not None:
            self.paste(_solid(colour, side, side), at, fill)
        if line is not None:
            self.paste(_solid(edge, side, side), at, line)

    def text(self, t: Text) -> None:
        s = self.s
        placed = _placed(t.text, t.size * s, t.bold, _ANCHORS[t.anchor, t.valign], t.rotate, t.x * s, t.y * s, t.colour)
        if placed is not None:
            self.paste(*placed)


@lru_cache(maxsize=4096)
def _placed(text: str, size: float, bold: bool, anchor: str, rotate: bool, x: float, y: float,
            colour: str) -> tuple[Any, tuple[int, int, int, int], Any] | None:
    """(picture of ``colour``, box in the picture, mask) that lay ``text`` at ``size`` pixels
    anchored at (``x``, ``y``) (see :meth:`_Painter.lay`; the mask :func:`_label_small`'s): the
    same labels come at the same places chart after chart. None for text that draws nothing."""
    k = SUPERSAMPLE
    size_px = max(1, round(size * k))
    mask, left, top = _label(text, size_px, bold, anchor, rotate)
    if mask is None:
        return None
    x, y = x * k, y * k  # at the supersampled size, where the mask was drawn
    at = (round(x - mask.width / 2), round(y - mask.height / 2)) if rotate else (round(x) + left, round(y) + top)
    small = _label_small(text, size_px, bold, anchor, rotate, at[0] % k, at[1] % k)
    w, h = small.size
    return _solid(colour, w, h), (at[0] // k, at[1] // k, at[0] // k + w, at[1] // k + h), small.im


@cache
def _opacities(colour: str) -> tuple[int, ...]:
    """Pillow's inks for ``colour`` over a picture ("RGB") at each opacity 0-255, by opacity:
    translucent ones blend (where ImageDraw with "RGBA" paints them), the opaque one sets pixels
    (the same colours, without blending each pixel)."""
    from PIL import Image  # noqa: PLC0415 - Pillow only when a PNG is painted

    r, g, b, _ = _rgb(colour)
    ink = Image.core.draw(Image.core.fill("RGB", (1, 1), 0), 0).draw_ink
    return tuple(ink((r, g, b, a)) for a in range(255)) + (ink((r, g, b)),)


@lru_cache(maxsize=1024)
def _solid(colour: str, w: int, h: int) -> Any:
    """A ``w`` x ``h`` picture all of ``colour`` (Pillow's core image: what a mask of that size
    lays on, see :meth:`_Painter.lay`)."""
    from PIL import Image  # noqa: PLC0415 - Pillow only when a PNG is painted

    return Image.new("RGB", (w, h), _rgb(colour)[:3]).im


@lru_cache(maxsize=4096)
def _marker(marker: str, cx: int, cy: int, r: int, filled: bool, width: int) -> tuple[Any, Any, int]:
    """(fill mask, edge mask, their side in pixels) of a marker centred at (cx, cy) with radius
    r, in eighths of a pixel from the mask's corner; a mask is Pillow's core image (what
    :meth:`_Painter.lay` pastes through), or None when not drawn. ``width``: the edge's, at the
    supersampled size."""
    from PIL import Image, ImageDraw  # noqa: PLC0415 - Pillow only when a PNG is painted

    k = SUPERSAMPLE
    side = math.ceil((max(cx, cy) + r) / (4 * k)) + 2  # in pixels, with room for the edge
    x, y, rad = cx / 4, cy / 4, r / 4  # at the supersampled size
    if marker == "o" or marker == "s":
        box = (x - rad, y - rad, x + rad, y + rad)
        shape: Callable[..., None] = (lambda d, **kw: d.ellipse(box, **kw)) if marker == "o" else \
            (lambda d, **kw: d.rectangle(box, **kw))
    else:
        pts = {"^": [(x, y - rad), (x + rad, y + rad), (x - rad, y + rad)],
               "v": [(x, y + rad), (x + rad, y - rad), (x - rad, y - rad)],
               "D": [(x, y - rad), (x + rad, y), (x, y + rad), (x - rad, y)]}[marker]
        shape = lambda d, **kw: d.polygon(pts, **kw)  # noqa: E731 - one of three shapes
    masks: list[Any] = []
    for wanted, kw in ((filled, {"fill": 255}), (width > 0, {"outline": 255, "width": width})):
        mask = Image.new("L", (side * k, side * k), 0) if wanted else None
        if mask is not None:
            shape(ImageDraw.Draw(mask), **kw)
        masks.append(mask.reduce(k).im if mask is not None else None)
    return masks[0], masks[1], side


@lru_cache(maxsize=4096)
def _label(text: str, size_px: int, bold: bool, anchor: str, rotate: bool = False) -> tuple[Any, int, int]:
    """(mask of ``text`` as the font draws it, its offset from the anchor point): drawn once
    and pasted wherever the same words come again (tick labels, legends, titles and axis labels
    of every chart of a mail run); rotated text (read bottom to top) is centred on its point.
    The mask is None for text that draws nothing."""
    from PIL import Image, ImageDraw  # noqa: PLC0415 - Pillow only when a PNG is painted

    font = _font(size_px, bold)
    if rotate:
        box = font.getbbox(text, anchor="lt")
        label = Image.new("L", (int(box[2]) + 2, int(box[3]) + 2), 0)
        ImageDraw.Draw(label).text((0, 0), text, font=font, fill=255, anchor="lt")
        return label.rotate(90, expand=True), 0, 0
    left, top, right, bottom = (math.floor(v) for v in font.getbbox(text, anchor=anchor))
    if right <= left or bottom <= top:
        return None, 0, 0
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255, anchor=anchor)
    return mask, left, top


@lru_cache(maxsize=4096)
def _label_small(text: str, size_px: int, bold: bool, anchor: str, rotate: bool, dx: int, dy: int) -> Any:
    """The :func:`_label` mask (drawn at :data:`SUPERSAMPLE` times the size) scaled down,
    starting ``dx``, ``dy`` supersampled pixels into its first pixel."""
    from PIL import Image  # noqa: PLC0415 - Pillow only when a PNG is painted

    mask = _label(text, size_px, bold, anchor, rotate)[0]
    k = SUPERSAMPLE
    padded = Image.new("L", (-(-(mask.width + dx) // k) * k, -(-(mask.height + dy) // k) * k), 0)
    padded.paste(mask, (dx, dy))
    return padded.reduce(k)


def _inks(d: Drawing) -> frozenset[tuple[str, float]]:
    """The (colour, opacity) pairs the drawing paints with."""
    out: set[tuple[str, float]] = set()
    add = out.add
    for s in d.shapes:
        if isinstance(s, Text):
            add((s.colour, 1.0))
        elif isinstance(s, Mark):
            add((s.fill, 1.0))
            add((s.edge, 1.0))
        else:
            add((s.fill, s.alpha))
            add((s.edge, 1.0))
            if isinstance(s, Rect) and s.hatch:
                add((s.hatch_colour, 1.0))
    return frozenset(c for c in out if c[0] != "none")


@lru_cache(maxsize=256)
def _palette(inks: frozenset[tuple[str, float]]) -> Any:
    """A palette image for a chart painted with ``inks``: white, each ink as it shows on white (a
    translucent fill blended with it), and the smooth edges between each ink and white (a
    quarter, half and three quarters of the way, and in eighths for the darkest inks, the text's).
    Every pixel of the chart takes the nearest of these colours (a chart shows a few flat colours:
    a small palette keeps it crisp and the PNG small)."""
    from PIL import Image  # noqa: PLC0415 - Pillow only when a PNG is painted

    def over_white(rgb: tuple[int, int, int], a: float) -> tuple[int, int, int]:
        return (round(rgb[0] * a + 255 * (1 - a)), round(rgb[1] * a + 255 * (1 - a)), round(rgb[2] * a + 255 * (1 - a)))

    # white and the inks first. Pillow maps each pixel by the corner of its 4x4x4 block of
    # colours (a tie goes to the earlier entry): a shade closer than SHADE_GAP to a colour before
    # it is left out, or it would take that colour's own pixels (white turned a tint)
    inks_rgb = sorted({over_white(_rgb(colour)[:3], alpha) for colour, alpha in inks} - {(255, 255, 255)})
    colours = [(255, 255, 255)] + inks_rgb
    shades = [over_white(rgb, k / steps) for rgb in inks_rgb
              for steps in [8 if sum(rgb) < 3 * 128 else 4] for k in range(1, steps)]
    # where two inks meet (a marker on a line, a bar by a hatched gap): half of each
    shades += [(round((a[0] + b[0]) / 2), round((a[1] + b[1]) / 2), round((a[2] + b[2]) / 2))
               for i, a in enumerate(inks_rgb) for b in inks_rgb[i + 1:]]
    for shade in shades:
        if all(max(abs(a - b) for a, b in zip(shade, c)) >= SHADE_GAP for c in colours):
            colours.append(shade)
    flat = [v for c in colours[:256] for v in c]
    image = Image.new("P", (1, 1))
    image.putpalette(flat)
    return image


def to_png(d: Drawing, *, dpi: int = 110) -> bytes:
    """The drawing as PNG bytes at ``dpi`` (a 4.8-inch chart at 110 dpi is 528 pixels wide)."""
    from PIL import Image  # noqa: PLC0415 - Pillow only when a PNG is painted

    scale = dpi / 72.0
    p = _Painter(d, scale)
    paint: dict[type, Callable[[Any], None]] = {Rect: p.rect, Poly: p.poly, Mark: p.mark, Text: p.text}
    for s in d.shapes:
        paint[type(s)](s)
    image = p.image.quantize(palette=_palette(_inks(d)), dither=Image.Dither.NONE)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=COMPRESS_LEVEL)
    return buf.getvalue()
