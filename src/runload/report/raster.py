"""A laid-out chart (:class:`runload.report.plot.Drawing`) painted as a PNG with Pillow.

For the weekly mails (mail programs show no SVG) and ``runload report --charts``. The shapes are
the SVG's, painted at twice the size and scaled down (smooth edges without an anti-aliasing
painter); text is set in DejaVu Sans (the font matplotlib ships, found without importing it) or,
without it, Pillow's own scalable font. The same drawing gives the same bytes.
"""

from __future__ import annotations

import importlib.util
import io
import math
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from runload.report.plot import Drawing, Mark, Poly, Rect, Text

SUPERSAMPLE = 2
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


class _Painter:
    def __init__(self, d: Drawing, scale: float) -> None:
        from PIL import Image, ImageDraw  # noqa: PLC0415 - Pillow only when a PNG is painted

        self.s = scale
        self.image = Image.new("RGB", (round(d.width * scale), round(d.height * scale)), "white")
        self.draw = ImageDraw.Draw(self.image, "RGBA")  # RGBA: translucent fills blend

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return x * self.s, y * self.s

    def rect(self, r: Rect) -> None:
        x0, y0 = self.xy(r.x, r.y)
        x1, y1 = self.xy(r.x + r.w, r.y + r.h)
        if r.fill != "none":
            self.draw.rectangle((x0, y0, x1, y1), fill=_rgb(r.fill, r.alpha))
        if r.hatch == "///":
            step = 6 * self.s
            width = max(1, round(0.9 * self.s))
            c = x0 + y0 - ((x0 + y0) % step)  # lines x + y = c, the same phase for every rect
            while c < x1 + y1:
                # the line x + y = c clipped to the rectangle
                a = (max(x0, c - y1), c - max(x0, c - y1))
                b = (min(x1, c - y0), c - min(x1, c - y0))
                if a[0] <= b[0]:
                    self.draw.line((a, b), fill=_rgb(r.hatch_colour), width=width)
                c += step
        elif r.hatch == "..":
            step, rad = 4 * self.s, 0.8 * self.s
            yy = y0 + step / 2
            while yy < y1:
                xx = x0 + step / 2
                while xx < x1:
                    self.draw.ellipse((xx - rad, yy - rad, xx + rad, yy + rad), fill=_rgb(r.hatch_colour))
                    xx += step
                yy += step
        if r.edge != "none" and (r.hatch is None or r.hatch == ".."):
            self.draw.rectangle((x0, y0, x1, y1), outline=_rgb(r.edge), width=max(1, round(r.edge_width * self.s)))

    def poly(self, p: Poly) -> None:
        pts = [self.xy(x, y) for x, y in p.points]
        if p.fill != "none":
            if len(pts) > 2:
                self.draw.polygon(pts, fill=_rgb(p.fill, p.alpha))
            return
        width = max(1, round(p.width * self.s))
        parts = _dashes(pts, 3.7 * self.s, 1.6 * self.s) if p.dash else [pts]
        for part in parts:
            self.draw.line(part, fill=_rgb(p.edge), width=width, joint="curve")

    def mark(self, m: Mark) -> None:
        x, y = self.xy(m.x, m.y)
        r = m.size * self.s / 2
        fill = None if m.fill == "none" else _rgb(m.fill)
        edge = None if m.edge == "none" else _rgb(m.edge)
        width = max(1, round(m.edge_width * self.s)) if edge else 0
        if m.marker == "o":
            self.draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=edge, width=width)
        elif m.marker == "s":
            self.draw.rectangle((x - r, y - r, x + r, y + r), fill=fill, outline=edge, width=width)
        else:
            pts = {"^": [(x, y - r), (x + r, y + r), (x - r, y + r)],
                   "v": [(x, y + r), (x + r, y - r), (x - r, y - r)],
                   "D": [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]}[m.marker]
            self.draw.polygon(pts, fill=fill, outline=edge, width=width)

    def text(self, t: Text) -> None:
        anchor = {"start": "l", "middle": "m", "end": "r"}[t.anchor] + {"baseline": "s", "middle": "m",
                                                                        "top": "t"}[t.valign]
        mask, left, top = _label(t.text, max(1, round(t.size * self.s)), t.bold, anchor, t.rotate)
        if mask is None:
            return
        x, y = self.xy(t.x, t.y)
        at = (round(x - mask.width / 2), round(y - mask.height / 2)) if t.rotate else (round(x) + left, round(y) + top)
        self.image.paste(_rgb(t.colour)[:3], at, mask)


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


def _inks(d: Drawing) -> frozenset[tuple[str, float]]:
    """The (colour, opacity) pairs the drawing paints with."""
    out: set[tuple[str, float]] = set()
    for s in d.shapes:
        if isinstance(s, Text):
            out.add((s.colour, 1.0))
        elif isinstance(s, Mark):
            out.update(((s.fill, 1.0), (s.edge, 1.0)))
        else:
            out.update(((s.fill, s.alpha), (s.edge, 1.0)))
            if isinstance(s, Rect) and s.hatch:
                out.add((s.hatch_colour, 1.0))
    out.discard(("none", 1.0))
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

    # white and the inks first: Pillow maps each pixel by its 4x4x4 block of colours, and a tie
    # goes to the earlier entry; a shade is left out when it is that close to a colour before it
    inks_rgb = sorted({over_white(_rgb(colour)[:3], alpha) for colour, alpha in inks} - {(255, 255, 255)})
    colours = [(255, 255, 255)] + inks_rgb
    shades = [over_white(rgb, k / steps) for rgb in inks_rgb
              for steps in [8 if sum(rgb) < 3 * 128 else 4] for k in range(1, steps)]
    # where two inks meet (a marker on a line, a bar by a hatched gap): half of each
    shades += [(round((a[0] + b[0]) / 2), round((a[1] + b[1]) / 2), round((a[2] + b[2]) / 2))
               for i, a in enumerate(inks_rgb) for b in inks_rgb[i + 1:]]
    for shade in shades:
        if all(max(abs(a - b) for a, b in zip(shade, c)) >= 6 for c in colours):
            colours.append(shade)
    flat = [v for c in colours[:256] for v in c]
    image = Image.new("P", (1, 1))
    image.putpalette(flat)
    return image


def to_png(d: Drawing, *, dpi: int = 110) -> bytes:
    """The drawing as PNG bytes at ``dpi`` (a 4.8-inch chart at 110 dpi is 528 pixels wide)."""
    from PIL import Image  # noqa: PLC0415 - Pillow only when a PNG is painted

    scale = dpi / 72.0
    p = _Painter(d, scale * SUPERSAMPLE)
    for s in d.shapes:
        if isinstance(s, Rect):
            p.rect(s)
        elif isinstance(s, Poly):
            p.poly(s)
        elif isinstance(s, Mark):
            p.mark(s)
        else:
            p.text(s)
    image = p.image.reduce(SUPERSAMPLE)  # the mean of each 2x2 block: smooth edges, cheaply
    image = image.quantize(palette=_palette(_inks(d)), dither=Image.Dither.NONE)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=COMPRESS_LEVEL)
    return buf.getvalue()
