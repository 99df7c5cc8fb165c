"""A laid-out chart (:class:`runload.report.plot.Drawing`) as SVG text, written by hand.

Every text is escaped (shoe names and labels are user text), the picture carries its title as
the SVG's accessible name (``<title>``, ``role="img"``), and nothing in it names a URL but the SVG
namespace: the file reads the same offline, inlined in a page, or served by the web app. The same
drawing always gives the same bytes.
"""

from __future__ import annotations

from html import escape

from runload.report.plot import Drawing, Mark, Poly, Rect, Shape, Text

FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', Arial, Helvetica, sans-serif"


def _n(v: float) -> str:
    """A coordinate with two decimals at most, without trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _points(pts: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)


def _hatch_id(kind: str, colour: str) -> str:
    return ("h" if kind == "///" else "d") + colour.lstrip("#")


def _defs(shapes: tuple[Shape, ...]) -> str:
    out = []
    for kind, colour in sorted({(s.hatch, s.hatch_colour) for s in shapes if isinstance(s, Rect) and s.hatch}):
        pid = _hatch_id(kind, colour)
        if kind == "///":
            out.append(f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">'
                       f'<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="{colour}" stroke-width="0.9"/></pattern>')
        else:
            out.append(f'<pattern id="{pid}" width="4" height="4" patternUnits="userSpaceOnUse">'
                       f'<circle cx="2" cy="2" r="0.8" fill="{colour}"/></pattern>')
    return f"<defs>{''.join(out)}</defs>" if out else ""


def _rect(s: Rect) -> str:
    box = f'x="{_n(s.x)}" y="{_n(s.y)}" width="{_n(s.w)}" height="{_n(s.h)}"'
    alpha = f' fill-opacity="{s.alpha:g}"' if s.alpha < 1 else ""
    edge = f' stroke="{s.edge}" stroke-width="{s.edge_width:g}"' if s.edge != "none" and not s.hatch else ""
    out = f'<rect {box} fill="{s.fill}"{alpha}{edge}/>'
    if s.hatch:
        out += f'<rect {box} fill="url(#{_hatch_id(s.hatch, s.hatch_colour)})"/>'
        if s.edge != "none" and s.hatch == "..":
            out += f'<rect {box} fill="none" stroke="{s.edge}" stroke-width="{s.edge_width:g}"/>'
    return out


def _poly(s: Poly) -> str:
    if s.fill != "none":
        alpha = f' fill-opacity="{s.alpha:g}"' if s.alpha < 1 else ""
        return f'<polygon points="{_points(s.points)}" fill="{s.fill}"{alpha}/>'
    dash = ' stroke-dasharray="3.7,1.6"' if s.dash else ""
    return (f'<polyline points="{_points(s.points)}" fill="none" stroke="{s.edge}" stroke-width="{s.width:g}"'
            f' stroke-linejoin="round"{dash}/>')


def _mark(s: Mark) -> str:
    r = s.size / 2
    paint = f'fill="{s.fill}"' + (f' stroke="{s.edge}" stroke-width="{s.edge_width:g}"' if s.edge != "none" else "")
    x, y = s.x, s.y
    if s.marker == "o":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {paint}/>'
    if s.marker == "s":
        return f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" height="{_n(2 * r)}" {paint}/>'
    pts = {"^": ((x, y - r), (x + r, y + r), (x - r, y + r)),
           "v": ((x, y + r), (x + r, y - r), (x - r, y - r)),
           "D": ((x, y - r), (x + r, y), (x, y + r), (x - r, y))}[s.marker]
    return f'<polygon points="{_points(pts)}" {paint}/>'


def _text(s: Text) -> str:
    attrs = f'x="{_n(s.x)}" y="{_n(s.y)}" font-size="{s.size:g}"'
    if s.anchor != "start":
        attrs += f' text-anchor="{s.anchor}"'
    if s.valign != "baseline":
        attrs += ' dominant-baseline="central"' if s.valign == "middle" else ' dominant-baseline="hanging"'
    if s.bold:
        attrs += ' font-weight="bold"'
    if s.colour != "#000000":
        attrs += f' fill="{s.colour}"'
    if s.rotate:
        attrs += f' transform="rotate(-90 {_n(s.x)} {_n(s.y)})"'
    return f"<text {attrs}>{escape(s.text, quote=False)}</text>"


def _shape(s: Shape) -> str:
    if isinstance(s, Rect):
        return _rect(s)
    if isinstance(s, Poly):
        return _poly(s)
    if isinstance(s, Mark):
        return _mark(s)
    return _text(s)


def to_svg(d: Drawing) -> bytes:
    """The drawing as a standalone SVG document (UTF-8)."""
    w, h = _n(d.width), _n(d.height)
    head = (f'<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}pt" height="{h}pt" viewBox="0 0 {w} {h}"'
            f' role="img" aria-labelledby="title" font-family="{FONT_FAMILY}">\n'
            f'<title id="title">{escape(d.title, quote=False)}</title>\n'
            f'<rect width="{w}" height="{h}" fill="#ffffff"/>\n')
    body = "\n".join(_shape(s) for s in d.shapes)
    return (head + _defs(d.shapes) + "\n" + body + "\n</svg>\n").encode("utf-8")
