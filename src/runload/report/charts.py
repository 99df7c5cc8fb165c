"""The report's charts: what each one shows, as a :class:`runload.report.plot.Figure`.

Each chart is a function of a :class:`~runload.report.model.Report` that returns a figure;
:func:`render` lays it out once (:func:`runload.report.plot.layout`) and writes it as SVG text
(:mod:`runload.report.svg`, for the HTML report, the site and the web app) or paints it as a PNG
(:mod:`runload.report.raster`, for mail programs, which show no SVG, and ``--charts``). Both are
plain Python: drawing a chart costs milliseconds, not a plotting library.

Weeks (or days) without any recorded activity are drawn as hatched gaps, never as zero: a watch
left at home is not a rest day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from runload.models import PAIN_SIGNS
from runload.outfile import private_folder, write_file
from runload.report import metrics, raster, svg
from runload.report.model import ChartInfo, Report
from runload.report.plot import (
    GAP_FILL,
    GAP_HATCH,
    Area,
    Band,
    Bars,
    Figure,
    Legend,
    Line,
    Marker,
    Note,
    Panel,
    Points,
    Rule,
    Swatch,
    day,
    layout,
)
from runload.units import from_km
from runload.units import label as unit_label

# name -> title; the order is the order a report shows them
TITLES = {
    "weekly_distance": "Weekly running distance, last 16 weeks",
    "run_spikes": "Each run against the longest of the 30 days before",
    "load_ratio": "Acute:chronic load ratio (context, not an alarm)",
    "fitness_fatigue": "Fitness, fatigue and form (context)",
    "pain": "Pain scores on the same days as the running",
    "shoes": "Running distance per shoe",
    "cross_training": "Cross-training per week",
}

# colours readable for common colour-vision deficiencies (Okabe-Ito), and in greyscale print
BLUE, ORANGE, VERMILLION, GREY, GREEN, PURPLE, SKY = ("#0072B2", "#E69F00", "#D55E00", "#999999",
                                                     "#009E73", "#CC79A7", "#56B4E9")
GAP = GAP_FILL


def catalog(report: Report) -> list[ChartInfo]:
    """Which charts this report has, and for each one left out, why."""
    out = []
    for name, title in TITLES.items():
        note = _missing(report, name)
        out.append(ChartInfo(name, title, note is None, note or ""))
    return out


def _missing(report: Report, name: str) -> str | None:
    weeks = report.weeks
    if name == "weekly_distance":
        return None if any(w.runs for w in weeks) else "no runs in the weeks shown"
    if name in ("run_spikes", "load_ratio", "fitness_fatigue"):
        return None if any(w.runs for w in weeks) else "no runs in the weeks shown"
    if name == "pain":
        return None if report.pain.entries or _pain_in_window(report) else "no pain logged in the weeks shown"
    if name == "shoes":
        return None if report.shoes else "no run records which shoe was worn"
    if name == "cross_training":
        return None if any(w.cross_training_min for w in weeks) else "no cross-training in the weeks shown"
    raise KeyError(name)


def _pain_in_window(report: Report) -> bool:
    if not report.weeks or report.assessment is None:
        return False
    lo, hi = report.weeks[0].week_start, report.period.end
    return any(lo <= p.date <= hi for p in report.assessment.pain_entries)



def render(report: Report, name: str, fmt: str = "svg", *, dpi: int = 110) -> bytes:
    """Chart ``name`` as SVG or PNG bytes (the same data gives the same bytes)."""
    drawing = layout(draw(report, name))
    if fmt == "svg":
        return svg.to_svg(drawing)
    if fmt == "png":
        return raster.to_png(drawing, dpi=dpi)
    raise ValueError(f"unknown chart format {fmt!r} (expected svg or png)")


def render_available(report: Report, fmt: str = "svg") -> dict[str, bytes]:
    """Every available chart of the report, in catalogue order."""
    return {c.name: render(report, c.name, fmt) for c in report.charts if c.available}


def write_pngs(report: Report, directory: str | Path) -> list[Path]:
    """Write each available chart as ``<athlete>-<chart>.png`` into ``directory``; the paths."""
    folder = private_folder(directory)
    paths = []
    for name, data in render_available(report, "png").items():
        paths.append(write_file(folder / f"{_safe(report.athlete.id)}-{name}.png", data))
    return paths


def draw(report: Report, name: str) -> Figure:
    """Chart ``name`` as a figure (not yet laid out)."""
    return _DRAW[name](report)


# ---------------------------------------------------------------- helpers
def _text(s: str, limit: int = 40) -> str:
    """User text (shoe names) cut to ``limit`` characters."""
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"


def _safe(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in s) or "athlete"


def _window(report: Report) -> tuple[date, date]:
    first = report.weeks[0].week_start if report.weeks else report.period.start
    return first, report.period.end


def _xlim(report: Report) -> tuple[float, float]:
    lo, hi = _window(report)
    return day(lo) - 1, day(hi) + 1


def _gap_spans(report: Report) -> list[tuple[date, date]]:
    """[start, end) day spans without data: the stretches the data-gap rule calls silences (or,
    without that code, whole weeks with no activity), and every day after the last data."""
    spans: list[tuple[date, date]] = []
    lo, hi = _window(report)
    silences = metrics.gaps(report.assessment) if report.assessment is not None else None
    if silences is None:
        spans += [(w.week_start, w.week_start + timedelta(days=7)) for w in report.weeks if not w.has_data]
    else:
        spans += [(max(a, lo), min(b, hi) + timedelta(days=1)) for a, b in silences if b >= lo and a <= hi]
    if report.data_end is not None and report.data_end < hi:
        spans.append((max(lo, report.data_end + timedelta(days=1)), hi + timedelta(days=1)))
    merged: list[tuple[date, date]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


GAP_LABEL = "no data (not rest)"


def _gaps(panel: Panel, report: Report, *, label: bool = True) -> None:
    """The days without data as hatched bands (drawn behind everything else in ``panel``)."""
    panel.items += [Band(day(a), day(b), GAP, vertical=True, hatch="///", hatch_colour=GAP_HATCH,
                         label=GAP_LABEL if label and i == 0 else None)
                    for i, (a, b) in enumerate(_gap_spans(report))]


def _bands(report: Report, rule_id: str, default: tuple[float, float]) -> tuple[float, float]:
    """The athlete's own (caution, warning) thresholds for a rule: the ones the findings use."""
    got = metrics.thresholds(report.assessment, rule_id) if report.assessment is not None else None
    return got or default


def _values(series: Any, scale: float = 1.0) -> list[float | None]:
    """A pandas series (or a list) as floats (None where NaN)."""
    return [None if v != v else float(v) * scale for v in (series if isinstance(series, list) else series.tolist())]


# ---------------------------------------------------------------- the charts
def weekly_distance(report: Report) -> Figure:
    """Bars per week; a tick at the athlete's caution threshold above the week before (when that
    week is a base to judge); bars over the caution and the warning thresholds (10% and 30%, or
    stricter after a previous injury) in warmer colours; gaps hatched; the running week marked."""
    weeks = report.weeks
    caution, warning = _bands(report, "weekly-progression", (10.0, 30.0))
    xs = [day(w.week_start) + 3 for w in weeks]  # bar at mid-week
    colours = []
    for w in weeks:
        c = w.change_pct
        colours.append(VERMILLION if c is not None and c > warning else ORANGE if c is not None and c > caution
                       else BLUE)
    units = report.athlete.units
    p = Panel(ylabel=unit_label(units), ygrid=True)
    data = [(x, w, col) for x, w, col in zip(xs, weeks, colours) if w.has_data]
    p.add(Bars([d[0] for d in data], [from_km(d[1].distance_km, units) for d in data], [d[2] for d in data], 5.5))
    # the caution line: the previous week's distance + the caution threshold, where that week is a
    # base to judge from (a complete week of at least 10 km)
    spans = [(x - 3.2, x + 3.2, from_km(prev.distance_km * (1 + caution / 100.0), units))
             for prev, cur, x in zip(weeks, weeks[1:], xs[1:])
             if prev.has_data and cur.has_data and cur.reference and not cur.base_too_small and prev.distance_km >= 10]
    if spans:
        p.add(Rule(None, "#000000", 1.6, spans=spans, label=f"{caution:g}% above the week before"))
    _gaps(p, report)
    partial = [(x, w) for x, w, _ in data if w.partial]
    if partial:
        p.add(Bars([x for x, _ in partial], [from_km(w.distance_km, units) for _, w in partial], "#ffffff", 5.5,
                   edge=BLUE, hatch="..", label="this week so far"))
    p.add(Legend(Swatch("patch", fill=ORANGE), f"over +{caution:g}%"))
    p.add(Legend(Swatch("patch", fill=VERMILLION), f"over +{warning:g}%"))
    # the report shows 16 weeks; the web app's season and year views more
    title = TITLES["weekly_distance"].replace("16", str(len(weeks)))
    return Figure(title, [p], _xlim(report))


def run_spikes(report: Report) -> Figure:
    """Each run (dot) with the longest run of the 30 days before it (line); spikes coloured by
    the bands of Frandsen et al. 2025 at the athlete's own thresholds (the rule's)."""
    lo, hi = _window(report)
    cols = metrics.run_spikes(report.assessment, since=lo)
    caution, warning = _bands(report, "single-run-spike", (10.0, 30.0))
    units = report.athlete.units
    scale = from_km(1.0, units)  # km -> the reader's units
    p = Panel(ylabel=unit_label(units), ygrid=True)
    if cols["date"]:
        keep = [i for i, d in enumerate(cols["date"]) if lo <= d <= hi]
        f = {c: [v[i] for i in keep] for c, v in cols.items()}
        days = [day(d) for d in f["date"]]
        p.add(Line(days, _values(f["ref_km"], scale), GREY, 1.2, step=True, label="longest of the 30 days before"))
        km = _values(f["distance_km"], scale)
        spike = f["spike_pct"]
        bands = [(-1e9, caution, BLUE, f"up to +{caution:g}%"), (caution, warning, SKY, f"+{caution:g}-{warning:g}%"),
                 (warning, 100, ORANGE, f"+{warning:g}-100%"), (100, 1e9, VERMILLION, "over +100%")]
        for lo_p, hi_p, colour, label in bands:
            sel = [i for i, s in enumerate(spike) if lo_p < s <= hi_p]
            if sel:
                p.add(Points([days[i] for i in sel], [km[i] or 0.0 for i in sel], colour, label=label))
        early = [bool(e) for e in f["early"]]
        refs = f["ref_km"]
        first = [i for i, r in enumerate(refs) if r != r and not early[i]]
        if first:
            p.add(Points([days[i] for i in first], [km[i] or 0.0 for i in first], "#ffffff", BLUE,
                         label="no run in the 30 days before"))
        late = [i for i, e in enumerate(early) if e]
        if late:
            p.add(Points([days[i] for i in late], [km[i] or 0.0 for i in late], "#ffffff", GREY,
                         label="first 30 days: not judged"))
    _gaps(p, report)
    return Figure(TITLES["run_spikes"], [p], _xlim(report))


def load_ratio(report: Report) -> Figure:
    """The acute:chronic ratio with the much-quoted 0.8-1.3 band; labelled as context."""
    frame = metrics.load_ratio(report.assessment)
    p = Panel()
    lo, hi = _window(report)
    line: Line | None = None
    if frame is not None and len(frame):
        f = frame[(frame.index >= str(lo)) & (frame.index <= str(hi))]
        cfg = report.assessment.acwr
        how = {"rac": "coupled", "rau": "uncoupled", "ewma": "EWMA"}.get(str(cfg["method"]), str(cfg["method"]))
        line = Line([day(d) for d in f.index.date], _values(f["acwr"]), BLUE, 1.4,
                    label=f"ratio ({how} {cfg['acute_days']}/{cfg['chronic_days']} d, {cfg['load']})")
    if line is not None:
        p.add(line)
    p.add(Band(0.8, 1.3, GREEN, 0.12, label="0.8-1.3, the range often quoted (weak evidence)"))
    p.add(Rule(1.5, VERMILLION, 0.8, dash=True, label="1.5"))
    _gaps(p, report)
    return Figure(TITLES["load_ratio"], [p], _xlim(report))


def fitness_fatigue(report: Report) -> Figure:
    """Fitness (CTL, 42-day), fatigue (ATL, 7-day) and form (TSB = CTL - ATL). Days without data
    are not drawn (the series holds NaN there) and the first 42 days, while the seed still
    weighs, are drawn dashed as settling."""
    frame = metrics.fitness_fatigue(report.assessment)
    units = report.athlete.units
    p = Panel(ylabel=f"{unit_label(units)} per day")
    lo, hi = _window(report)
    if frame is not None and len(frame):
        f = frame[(frame.index >= str(lo)) & (frame.index <= str(hi))]
        days = [day(d) for d in f.index.date]
        scale = from_km(1.0, units)  # a distance load: km/day -> the reader's units per day
        settled = [bool(s) for s in f["settled"].tolist()]
        early = [not s for s in settled]
        if any(early) and any(settled):  # the two parts share the day they meet: no break there
            last_early = max(i for i, e in enumerate(early) if e)
            if last_early + 1 < len(early):
                early[last_early + 1] = True
        ctl, atl, tsb = (_values(f[c], scale) for c in ("ctl", "atl", "tsb"))
        labelled = False
        for part, dash, shade in ((settled, False, 0.3), (early, True, 0.15)):  # the legend shows solid lines
            if not any(part):
                continue

            def only(ys: list[float | None], part: list[bool] = part) -> list[float | None]:
                return [y if keep else None for y, keep in zip(ys, part)]

            p.add(Line(days, only(ctl), BLUE, 1.6, dash, label=None if labelled else "fitness (CTL, 42 days)"))
            p.add(Line(days, only(atl), VERMILLION, 1.2, dash, label=None if labelled else "fatigue (ATL, 7 days)"))
            p.add(Area(days, only(tsb), GREY, shade, label=None if labelled else "form (CTL - ATL)"))
            labelled = True
        if any(early):
            p.add(Legend(Swatch("line", edge="#000000", dash=True), "settling (first 42 days of data)"))
    _gaps(p, report)
    p.add(Rule(0.0, "#000000", 0.6))
    return Figure(TITLES["fitness_fatigue"], [p], _xlim(report), left_in=0.75)


def pain(report: Report) -> Figure:
    """Daily running (top) and pain scores (bottom) on one time axis, with the 5/10 line of the
    pain-monitoring model; entries with red-flag signs marked."""
    lo, hi = _window(report)
    runs = metrics.daily_runs(report.assessment, lo, hi)
    units = report.athlete.units
    top = Panel(ylabel=f"{unit_label(units)} per day", ygrid=True, ratio=1.0)
    if runs:
        top.add(Bars([day(d) for d, _ in runs], _nonnull(_values([km for _, km in runs], from_km(1.0, units))),
                     BLUE, 0.8))
    _gaps(top, report)
    bottom = Panel(ylabel="pain 0-10", ygrid=True, ylim=(0.0, 10.5), ratio=1.3)
    entries = [e for e in report.assessment.pain_entries if lo <= e.date <= hi]
    series: list[tuple[str, str, str, Marker]] = [("pain_during", "during the run", VERMILLION, "o"), ("pain_after", "after", ORANGE, "s"),
              ("pain_next_morning", "next morning", PURPLE, "^")]
    for attr, label, colour, marker in series:
        pts = [(e.date, getattr(e, attr)) for e in entries if getattr(e, attr) is not None]
        if pts:
            bottom.add(Line([day(d) for d, _ in pts], [float(v) for _, v in pts], colour, 1.0, marker=marker,
                            marker_size=4.0, label=label))
    flagged = [day(e.date) for e in entries if any(getattr(e, n) for n in PAIN_SIGNS)]
    if flagged:
        bottom.add(Points(flagged, [10.3] * len(flagged), "#000000", sizes=30.0, marker="v",
                          label="warning sign logged"))
    swollen = [(e.date, e.swelling) for e in entries if e.swelling and e.swelling != "none"]
    if swollen:
        sizes = {"mild": 18.0, "moderate": 34.0, "severe": 54.0}
        bottom.add(Points([day(d) for d, _ in swollen], [0.35] * len(swollen), SKY, "#000000",
                          sizes=[sizes.get(w, 18.0) for _, w in swollen], marker="D", edge_width=0.5,
                          label="swelling (bigger: worse)"))
    bottom.add(Rule(5.0, GREY, 0.9, dash=True, label="5/10: acceptable up to here"))
    _gaps(bottom, report, label=False)
    return Figure(TITLES["pain"], [top, bottom], _xlim(report), height_in=4.2, left_in=0.75)


def _nonnull(ys: list[float | None]) -> list[float]:
    return [0.0 if y is None else y for y in ys]


def shoes(report: Report) -> Figure:
    """Kilometres per shoe with the 500-800 km replacement convention (no injury data behind it)."""
    rows = report.shoes[:10]
    names = [_text(s.gear) for s in rows][::-1]
    units = report.athlete.units
    unit = unit_label(units)
    dists = [from_km(s.distance_km, units) for s in rows][::-1]
    lo_c, hi_c = from_km(500, units), from_km(800, units)  # the convention is 500-800 km
    p = Panel(categories=names)
    # the convention in the legend, not over the bars (one shoe's bar fills the plot's height)
    p.add(Band(lo_c, hi_c, ORANGE, 0.15, vertical=True,
               label=f"{lo_c:.0f}-{hi_c:.0f} {unit}: a replacement convention, no injury data"))
    p.add(Bars([float(i) for i in range(len(rows))], dists, BLUE, 0.6, horizontal=True))
    for i, d in enumerate(dists):
        p.add(Note(d, float(i), f" {d:.0f} {unit}"))
    xmax = max(from_km(850, units), max(dists, default=0) * 1.15)
    left_in = min(2.6, 0.35 + 0.075 * max((len(n) for n in names), default=4))
    return Figure(TITLES["shoes"], [p], (0.0, xmax), dates=False, xlabel=f"{unit} run in this shoe",
                  height_in=max(1.9, 0.45 * len(rows) + 1.4), left_in=left_in)


def cross_training(report: Report) -> Figure:
    """Weekly minutes of other sports, stacked by sport; running minutes are not included."""
    p = Panel(ylabel="minutes", ygrid=True)
    _gaps(p, report)
    minutes = metrics.cross_training_minutes(report.assessment)
    sports = sorted({sport for _, sport in minutes})
    xs = [day(w.week_start) + 3 for w in report.weeks]
    bottom = [0.0] * len(xs)
    palette = [GREEN, SKY, PURPLE, ORANGE, BLUE, GREY, VERMILLION]
    for sport, colour in zip(sports, palette * 3):
        vals = [minutes.get((w.week_start, sport), 0.0) if w.has_data else 0.0 for w in report.weeks]
        if any(vals):
            p.add(Bars(xs, vals, colour, 5.5, bottoms=list(bottom), label=sport))
            bottom = [b + v for b, v in zip(bottom, vals)]
    return Figure(TITLES["cross_training"], [p], _xlim(report), legend_cols=3)


_DRAW: dict[str, Callable[[Report], Figure]] = {
    "weekly_distance": weekly_distance,
    "run_spikes": run_spikes,
    "load_ratio": load_ratio,
    "fitness_fatigue": fitness_fatigue,
    "pain": pain,
    "shoes": shoes,
    "cross_training": cross_training,
}
