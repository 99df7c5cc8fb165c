"""A chart painted as a PNG keeps its colours: a white background stays white, every ink of the
drawing shows exactly where it covers whole pixels, and the same drawing gives the same bytes."""

from __future__ import annotations

import io

from PIL import Image

from runload.report.plot import Drawing, Mark, Poly, Rect, Text
from runload.report.raster import to_png

INKS = {"#0072B2": (0, 114, 178), "#D55E00": (213, 94, 0), "#000000": (0, 0, 0)}


def _drawing() -> Drawing:
    return Drawing(200.0, 100.0, "A chart", (
        Rect(10.0, 40.0, 50.0, 50.0, "#0072B2"),  # a bar
        Rect(70.3, 10.0, 20.0, 80.0, "#009E73", alpha=0.12),  # a translucent band
        Rect(100.0, 10.0, 20.0, 80.0, "#e6e6e6", hatch="///"),  # a data gap
        Poly(((10.0, 90.0), (190.0, 90.0)), "#000000", 0.8),  # an axis
        Poly(((20.0, 20.0), (60.0, 30.0), (90.0, 15.0)), "#D55E00", 1.2),  # a sloped line
        Poly(((130.0, 50.0), (180.0, 50.0)), "#999999", 0.9, dash=True),
        Mark(150.0, 30.0, "o", 6.0, "#D55E00", "#D55E00"),
        Text(10.0, 8.0, "Title", bold=True),
    ))


def _pixels(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P"  # a palette: small in a mail
    return image.convert("RGB")


def test_background_white_and_inks_exact() -> None:
    image = _pixels(to_png(_drawing()))
    scale = 110 / 72
    assert image.size == (round(200 * scale), round(100 * scale))
    assert image.getpixel((1, 1)) == (255, 255, 255)
    assert image.getpixel((image.width - 2, image.height - 2)) == (255, 255, 255)
    assert image.getpixel((round(35 * scale), round(65 * scale))) == INKS["#0072B2"]  # inside the bar
    assert image.getpixel((round(150 * scale), round(30 * scale))) == INKS["#D55E00"]  # the marker's middle
    band = image.getpixel((round(80 * scale), round(50 * scale)))
    assert band == tuple(round(c * 0.12 + 255 * 0.88) for c in (0, 158, 115))  # blended with white
    colours = {c for _n, c in image.getcolors(1 << 16)}
    assert set(INKS.values()) <= colours
    assert len(colours) > len(INKS) + 3  # smooth edges: shades between the inks and white


def test_same_drawing_same_bytes() -> None:
    assert to_png(_drawing()) == to_png(_drawing())


def test_what_one_chart_paints_leaves_the_next_alone() -> None:
    """Inks, markers and placed labels are kept from chart to chart: a chart painted after
    others with the same inks at other opacities and the same labels elsewhere is the same."""
    first = to_png(_drawing())
    to_png(Drawing(200.0, 100.0, "Another", (
        Rect(10.25, 40.5, 50.0, 50.0, "#0072B2", alpha=0.4),
        Mark(40.0, 60.0, "o", 6.0, "#D55E00", "#D55E00"),
        Text(50.0, 50.0, "Title", bold=True, colour="#0072B2"),
    )))
    assert to_png(_drawing()) == first


def test_a_bar_edge_in_a_pixel_blends_it_by_cover() -> None:
    scale = 110 / 72
    # a bar whose left edge is half way into pixel 20 and whose top is on a pixel border
    image = _pixels(to_png(Drawing(100.0, 60.0, "", (Rect(20.5 / scale, 10.0 / scale, 40.0 / scale, 30.0 / scale,
                                                           "#0072B2"),))))
    inside, edge, outside = (image.getpixel((x, 25)) for x in (30, 20, 19))
    assert inside == INKS["#0072B2"] and outside == (255, 255, 255)
    assert all(i < e < 255 for i, e in zip(inside, edge) if i < 255)  # between the ink and white
