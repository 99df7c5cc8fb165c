"""The report's charts, drawn with matplotlib.

Each chart is a function of a :class:`~runload.report.model.Report` that returns a matplotlib
``Figure``. Figures are made with ``matplotlib.figure.Figure`` and saved through the Agg canvas
chosen inside :func:`render`, never through ``pyplot``: importing this module imports no
matplotlib and sets no global backend, so a notebook's own backend is left alone.

Weeks (or days) without any recorded activity are drawn as hatched gaps, never as zero: a watch
left at home is not a rest day.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from runload.models import PAIN_SIGNS
from runload.report import metrics
from runload.report.model import ChartInfo, Report
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
GAP = "#e6e6e6"


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
    """Chart ``name`` as SVG or PNG bytes (Agg canvas; deterministic output for the same data)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(_STYLE):
        fig = draw(report, name)
        FigureCanvasAgg(fig)
        buf = io.BytesIO()
        # no creation date or software version in the file: the same data gives the same bytes
        meta = ({"Date": None, "Creator": None, "Format": None, "Type": None} if fmt == "svg"
                else {"Software": None})
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta)
    data = buf.getvalue()
    if fmt == "svg":
        # the DOCTYPE names a DTD by URL; nothing fetches it, but the file needs no URL at all
        data = re.sub(rb"<!DOCTYPE[^>]*>\s*", b"", data, count=1)
    return data


def render_available(report: Report, fmt: str = "svg") -> dict[str, bytes]:
    """Every available chart of the report, in catalogue order."""
    return {c.name: render(report, c.name, fmt) for c in report.charts if c.available}


def write_pngs(report: Report, directory: str | Path) -> list[Path]:
    """Write each available chart as ``<athlete>-<chart>.png`` into ``directory``; the paths."""
    from runload.outfile import private_folder, write_file

    folder = private_folder(directory)
    paths = []
    for name, data in render_available(report, "png").items():
        paths.append(write_file(folder / f"{_safe(report.athlete.id)}-{name}.png", data))
    return paths


def draw(report: Report, name: str) -> Any:
    """Chart ``name`` as a matplotlib Figure (not yet rendered)."""
    return _DRAW[name](report)


# ---------------------------------------------------------------- helpers
_STYLE = {
    "svg.hashsalt": "runload",  # stable element ids in SVG output
    # text as SVG text in a generic sans-serif the viewer has: no font file, nothing to fetch, and
    # faster to draw than text as paths
    "svg.fonttype": "none",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "axes.titlepad": 8,
    "legend.fontsize": 8,
}


# Drawn for a phone (a 390 px screen shows them at about 80% with readable text); the HTML page
# sets two side by side on a wide screen.
WIDTH_IN = 4.8


def _figure(height: float = 3.0, rows: int = 1, **kw: Any) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    # fixed margins (see _finish): matplotlib's constrained layout would measure every text
    # first and cost about a third of the drawing time
    fig = Figure(figsize=(WIDTH_IN, height))
    axes = fig.subplots(rows, 1, **kw)
    return fig, axes


def _finish(fig: Any, ax: Any, *, ncols: int = 2, left_in: float = 0.6, xlabel: bool = False) -> None:
    """A legend under the plot, across the figure, and margins that leave room for it."""
    handles, labels = ax.get_legend_handles_labels()
    height = fig.get_figheight()
    legend_rows = -(-len(labels) // ncols) if labels else 0
    bottom_in = 0.45 + (0.2 if xlabel else 0.0) + 0.22 * legend_rows + (0.1 if legend_rows else 0.0)
    if labels:
        fig.legend(handles, labels, loc="lower left", ncols=ncols, bbox_to_anchor=(left_in / WIDTH_IN - 0.05, 0.0),
                   borderaxespad=0.3)
    fig.subplots_adjust(left=left_in / WIDTH_IN, right=0.96, top=1 - 0.35 / height, bottom=bottom_in / height,
                        hspace=0.12)


def _text(s: str, limit: int = 40) -> str:
    """User text (shoe names) as literal matplotlib text: ``$`` would start mathtext."""
    s = s if len(s) <= limit else s[: limit - 1] + "\u2026"
    return s.replace("$", r"\$")


def _safe(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in s) or "athlete"


def _window(report: Report) -> tuple[date, date]:
    first = report.weeks[0].week_start if report.weeks else report.period.start
    return first, report.period.end


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


def _shade_gaps(ax: Any, report: Report, *, label: bool = True) -> None:
    for i, (a, b) in enumerate(_gap_spans(report)):
        ax.axvspan(a, b, facecolor=GAP, edgecolor=GREY, hatch="///", linewidth=0, zorder=0,
                   label="no data (not rest)" if label and i == 0 else None)


def _date_axis(ax: Any, report: Report) -> None:
    import matplotlib.dates as mdates

    lo, hi = _window(report)
    ax.set_xlim(lo - timedelta(days=1), hi + timedelta(days=1))
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=4))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))


def _daily(report: Report) -> Any:
    lo, hi = _window(report)
    return metrics.daily(report.assessment, lo, hi)


def _bands(report: Report, rule_id: str, default: tuple[float, float]) -> tuple[float, float]:
    """The athlete's own (caution, warning) thresholds for a rule: the ones the findings use."""
    got = metrics.thresholds(report.assessment, rule_id) if report.assessment is not None else None
    return got or default


# ---------------------------------------------------------------- the charts
def weekly_distance(report: Report) -> Any:
    """Bars per week; a tick at the athlete's caution threshold above the week before (when that
    week is a base to judge); bars over the caution and the warning thresholds (10% and 30%, or
    stricter after a previous injury) in warmer colours; gaps hatched; the running week marked."""
    fig, ax = _figure()
    lo, _hi = _window(report)
    weeks = report.weeks
    caution, warning = _bands(report, "weekly-progression", (10.0, 30.0))
    xs = [w.week_start + timedelta(days=3) for w in weeks]  # bar at mid-week
    colours, edges = [], []
    for w in weeks:
        c = w.change_pct
        colours.append(VERMILLION if c is not None and c > warning else ORANGE if c is not None and c > caution
                       else BLUE)
        edges.append(BLUE if w.partial else "none")
    units = report.athlete.units
    data = [(x, w, col) for x, w, col in zip(xs, weeks, colours) if w.has_data]
    ax.bar([d[0] for d in data], [from_km(d[1].distance_km, units) for d in data], width=5.5,
           color=[d[2] for d in data], alpha=1.0, zorder=2)
    partial = [(x, w) for x, w, _ in data if w.partial]
    if partial:
        ax.bar([p[0] for p in partial], [from_km(p[1].distance_km, units) for p in partial], width=5.5, color="white",
               edgecolor=BLUE, hatch="..", zorder=3, label="this week so far")
    # the caution line: the previous week's distance + the caution threshold, where that week is a
    # base to judge from (a complete week of at least 10 km)
    first = True
    for prev, cur, x in zip(weeks, weeks[1:], xs[1:]):
        if prev.has_data and cur.has_data and cur.reference and not cur.base_too_small and prev.distance_km >= 10:
            y = from_km(prev.distance_km * (1 + caution / 100.0), units)
            ax.hlines(y, x - timedelta(days=3.2), x + timedelta(days=3.2), colors="black", linewidth=1.6,
                      zorder=4, label=f"{caution:g}% above the week before" if first else None)
            first = False
    _shade_gaps(ax, report)
    ax.bar([lo - timedelta(days=30)], [0], color=ORANGE, label=f"over +{caution:g}%")  # legend entries only
    ax.bar([lo - timedelta(days=30)], [0], color=VERMILLION, label=f"over +{warning:g}%")
    ax.set_ylabel(unit_label(units))
    # the report shows 16 weeks; the web app's season and year views more
    ax.set_title(TITLES["weekly_distance"].replace("16", str(len(weeks))))
    _date_axis(ax, report)
    ax.grid(axis="y", alpha=0.3)
    _finish(fig, ax)
    return fig


def run_spikes(report: Report) -> Any:
    """Each run (dot) with the longest run of the 30 days before it (line); spikes coloured by
    the bands of Frandsen et al. 2025 at the athlete's own thresholds (the rule's)."""
    lo, hi = _window(report)
    frame = metrics.run_spikes(report.assessment, since=lo)
    caution, warning = _bands(report, "single-run-spike", (10.0, 30.0))
    units = report.athlete.units
    scale = from_km(1.0, units)  # km -> the reader's units
    fig, ax = _figure()
    if frame is not None and len(frame):
        import pandas as pd

        f = frame[(pd.to_datetime(frame["date"]) >= pd.Timestamp(lo)) & (pd.to_datetime(frame["date"]) <= pd.Timestamp(hi))]
        days = pd.to_datetime(f["date"]).dt.date
        ax.step(list(days), list(f["ref_km"] * scale), where="post", color=GREY, linewidth=1.2,
                label="longest of the 30 days before")
        bands = [(-1e9, caution, BLUE, f"up to +{caution:g}%"), (caution, warning, SKY, f"+{caution:g}-{warning:g}%"),
                 (warning, 100, ORANGE, f"+{warning:g}-100%"), (100, 1e9, VERMILLION, "over +100%")]
        for lo_p, hi_p, colour, label in bands:
            sel = (f["spike_pct"] > lo_p) & (f["spike_pct"] <= hi_p)
            if sel.any():
                ax.scatter(list(days[sel]), list(f["distance_km"][sel] * scale), color=colour, s=22, zorder=3, label=label)
        first = f["ref_km"].isna() & ~f["early"].astype(bool)
        if first.any():
            ax.scatter(list(days[first]), list(f["distance_km"][first] * scale), facecolor="white", edgecolor=BLUE, s=22,
                       zorder=3, label="no run in the 30 days before")
        early = f["early"].astype(bool)
        if early.any():
            ax.scatter(list(days[early]), list(f["distance_km"][early] * scale), facecolor="white", edgecolor=GREY, s=22,
                       zorder=3, label="first 30 days: not judged")
    _shade_gaps(ax, report)
    ax.set_ylabel(unit_label(units))
    ax.set_title(TITLES["run_spikes"])
    _date_axis(ax, report)
    ax.grid(axis="y", alpha=0.3)
    _finish(fig, ax)
    return fig


def load_ratio(report: Report) -> Any:
    """The acute:chronic ratio with the much-quoted 0.8-1.3 band; labelled as context."""
    frame = metrics.load_ratio(report.assessment)
    fig, ax = _figure()
    lo, hi = _window(report)
    if frame is not None and len(frame):
        import pandas as pd

        f = frame[(frame.index >= pd.Timestamp(lo)) & (frame.index <= pd.Timestamp(hi))]
        cfg = report.assessment.acwr
        how = {"rac": "coupled", "rau": "uncoupled", "ewma": "EWMA"}.get(str(cfg["method"]), str(cfg["method"]))
        ax.plot(list(f.index.date), list(f["acwr"]), color=BLUE, linewidth=1.4,
                label=f"ratio ({how} {cfg['acute_days']}/{cfg['chronic_days']} d, {cfg['load']})")
    ax.axhspan(0.8, 1.3, color=GREEN, alpha=0.12, label="0.8-1.3, the range often quoted (weak evidence)")
    ax.axhline(1.5, color=VERMILLION, linewidth=0.8, linestyle="--", label="1.5")
    _shade_gaps(ax, report)
    ax.set_title(TITLES["load_ratio"])
    _date_axis(ax, report)
    _finish(fig, ax, ncols=2)
    return fig


def fitness_fatigue(report: Report) -> Any:
    """Fitness (CTL, 42-day), fatigue (ATL, 7-day) and form (TSB = CTL - ATL). Days without data
    are not drawn (the series holds NaN there) and the first 42 days, while the seed still
    weighs, are drawn dashed as settling."""
    frame = metrics.fitness_fatigue(report.assessment)
    units = report.athlete.units
    fig, ax = _figure()
    lo, hi = _window(report)
    if frame is not None and len(frame):
        import pandas as pd

        f = frame[(frame.index >= pd.Timestamp(lo)) & (frame.index <= pd.Timestamp(hi))]
        days = list(f.index.date)
        scale = from_km(1.0, units)  # a distance load: km/day -> the reader's units per day
        settled = f["settled"].to_numpy(dtype=bool)
        early = ~settled
        if early.any() and settled.any():  # the two parts share the day they meet: no break there
            early[int(early.nonzero()[0][-1]) + 1] = True
        labelled = False
        for part, style, shade in ((settled, "-", 0.3), (early, "--", 0.15)):  # the legend shows solid lines
            if not part.any():
                continue
            ctl, atl, tsb = ((f[c] * scale).where(part) for c in ("ctl", "atl", "tsb"))
            ax.plot(days, list(ctl), color=BLUE, linewidth=1.6, linestyle=style,
                    label=None if labelled else "fitness (CTL, 42 days)")
            ax.plot(days, list(atl), color=VERMILLION, linewidth=1.2, linestyle=style,
                    label=None if labelled else "fatigue (ATL, 7 days)")
            ax.fill_between(days, list(tsb.fillna(0.0)), 0, where=list(tsb.notna()), color=GREY, alpha=shade,
                            label=None if labelled else "form (CTL - ATL)")
            labelled = True
        if early.any():
            ax.plot([], [], color="black", linewidth=1.0, linestyle="--", label="settling (first 42 days of data)")
    _shade_gaps(ax, report)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylabel(f"{unit_label(units)} per day")
    ax.set_title(TITLES["fitness_fatigue"])
    _date_axis(ax, report)
    _finish(fig, ax, left_in=0.75)
    return fig


def pain(report: Report) -> Any:
    """Daily running (top) and pain scores (bottom) on one time axis, with the 5/10 line of the
    pain-monitoring model; entries with red-flag signs marked."""
    fig, (top, bottom) = _figure(4.2, rows=2, sharex=True, height_ratios=[1, 1.3])
    daily = _daily(report)
    units = report.athlete.units
    if len(daily):
        runs = daily[daily["distance_km"] > 0]
        top.bar(list(runs.index.date), list(runs["distance_km"] * from_km(1.0, units)), width=0.8, color=BLUE, zorder=2)
    _shade_gaps(top, report)
    _shade_gaps(bottom, report, label=False)
    top.set_ylabel(f"{unit_label(units)} per day")
    top.set_title(TITLES["pain"])
    top.grid(axis="y", alpha=0.3)
    lo, hi = _window(report)
    entries = [p for p in report.assessment.pain_entries if lo <= p.date <= hi]
    series = [("pain_during", "during the run", VERMILLION, "o"), ("pain_after", "after", ORANGE, "s"),
              ("pain_next_morning", "next morning", PURPLE, "^")]
    for attr, label, colour, marker in series:
        pts = [(p.date, getattr(p, attr)) for p in entries if getattr(p, attr) is not None]
        if pts:
            bottom.plot([d for d, _ in pts], [v for _, v in pts], marker=marker, color=colour, linewidth=1,
                        markersize=4, label=label)
    flagged = [p.date for p in entries if any(getattr(p, n) for n in PAIN_SIGNS)]
    if flagged:
        bottom.scatter(flagged, [10.3] * len(flagged), marker="v", color="black", s=30, zorder=5,
                       label="warning sign logged", clip_on=False)
    swollen = [(p.date, p.swelling) for p in entries if p.swelling and p.swelling != "none"]
    if swollen:
        sizes = {"mild": 18, "moderate": 34, "severe": 54}
        bottom.scatter([d for d, _ in swollen], [0.35] * len(swollen), marker="D", color=SKY, edgecolor="black",
                       linewidth=0.5, s=[sizes.get(w, 18) for _, w in swollen], zorder=5,
                       label="swelling (bigger: worse)", clip_on=False)
    bottom.axhline(5, color=GREY, linestyle="--", linewidth=0.9, label="5/10: acceptable up to here")
    bottom.set_ylim(0, 10.5)
    bottom.set_ylabel("pain 0-10")
    bottom.grid(axis="y", alpha=0.3)
    _date_axis(bottom, report)
    handles, labels = top.get_legend_handles_labels()
    if labels:  # the gap patch from the top panel, once
        bottom.axvspan(lo, lo, facecolor=GAP, edgecolor=GREY, hatch="///", linewidth=0, label=labels[0])
    _finish(fig, bottom, left_in=0.75)
    return fig


def shoes(report: Report) -> Any:
    """Kilometres per shoe with the 500-800 km replacement convention (no injury data behind it)."""
    rows = report.shoes[:10]
    fig, ax = _figure(max(1.6, 0.45 * len(rows) + 1.1))
    names = [_text(s.gear) for s in rows][::-1]
    units = report.athlete.units
    unit = unit_label(units)
    dists = [from_km(s.distance_km, units) for s in rows][::-1]
    lo_c, hi_c = from_km(500, units), from_km(800, units)  # the convention is 500-800 km
    ax.barh(range(len(rows)), dists, color=BLUE, height=0.6, zorder=2)
    ax.set_yticks(range(len(rows)), names)
    ax.axvspan(lo_c, hi_c, color=ORANGE, alpha=0.15, zorder=0)
    ax.text((lo_c + hi_c) / 2, len(rows) - 0.45, f"{lo_c:.0f}-{hi_c:.0f} {unit}: a replacement\nconvention, "
            "no injury data", ha="center", va="top", fontsize=8, color="#6b4a00")
    for i, d in enumerate(dists):
        ax.text(d, i, f" {d:.0f} {unit}", va="center", fontsize=8)
    ax.set_xlim(0, max(from_km(850, units), max(dists, default=0) * 1.15))
    ax.set_xlabel(f"{unit} run in this shoe")
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_title(TITLES["shoes"])
    _finish(fig, ax, left_in=min(2.6, 0.35 + 0.075 * max((len(n) for n in names), default=4)), xlabel=True)
    return fig


def cross_training(report: Report) -> Any:
    """Weekly minutes of other sports, stacked by sport; running minutes are not included."""
    fig, ax = _figure()
    minutes = metrics.cross_training_minutes(report.assessment)
    sports = sorted({sport for _, sport in minutes})
    xs = [w.week_start + timedelta(days=3) for w in report.weeks]
    bottom = [0.0] * len(xs)
    palette = [GREEN, SKY, PURPLE, ORANGE, BLUE, GREY, VERMILLION]
    for sport, colour in zip(sports, palette * 3):
        vals = [minutes.get((w.week_start, sport), 0.0) if w.has_data else 0.0 for w in report.weeks]
        if any(vals):
            ax.bar(xs, vals, bottom=bottom, width=5.5, color=colour, label=sport, zorder=2)
            bottom = [b + v for b, v in zip(bottom, vals)]
    _shade_gaps(ax, report)
    ax.set_ylabel("minutes")
    ax.set_title(TITLES["cross_training"])
    _date_axis(ax, report)
    ax.grid(axis="y", alpha=0.3)
    _finish(fig, ax, ncols=3)
    return fig


_DRAW: dict[str, Callable[[Report], Any]] = {
    "weekly_distance": weekly_distance,
    "run_spikes": run_spikes,
    "load_ratio": load_ratio,
    "fitness_fatigue": fitness_fatigue,
    "pain": pain,
    "shoes": shoes,
    "cross_training": cross_training,
}
