"""Wording and number formats every renderer shares, so text, Markdown, HTML and JSON agree."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from runload import units as u
from runload.models import Finding, PainEntry
from runload.report.model import PainRow, WeekRow
from runload.textsafe import inline


def number(v: float | None, unit: str = "", *, signed: bool | None = None) -> str:
    """``12.5 km``, ``+45%``, ``6/10``: one decimal, a trailing ``.0`` dropped; a sign for
    percentages unless ``signed`` says otherwise."""
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "-"
    unit = unit.strip()
    text = f"{v:.1f}".removesuffix(".0")
    if text == "-0":
        text = "0"
    if (signed if signed is not None else unit == "%") and v > 0:
        text = "+" + text
    if not unit:
        return text
    if unit[0] in "%/":  # 45%, 6/10
        return text + unit
    return f"{text} {unit}"


def finding_numbers(f: Finding, units: str = "km") -> str:
    """The numbers behind a finding in words: ``+45% (threshold 30%)``; empty when it has none.
    A distance (unit ``km``) is shown in the reader's ``units``; other units stay as they are."""
    if f.value is None:
        return ""
    value, unit = u.quantity(f.value, f.unit, units)
    text = number(value, unit)
    if f.threshold is not None:
        threshold, unit = u.quantity(f.threshold, f.unit, units)
        text += f" (threshold {number(threshold, unit, signed=False)})"
    return text


def finding_when(f: Finding) -> str:
    """``2026-08-12`` or ``week of 2026-08-10``; empty for undated findings."""
    if f.date is not None:
        return f.date.isoformat()
    if f.week_start is not None:
        return f"week of {f.week_start.isoformat()}"
    return ""


def why(f: Finding) -> str:
    """Why a finding matters: its evidence in plain words, with how strong that evidence is."""
    text = f.evidence.strip()
    if f.evidence_level:
        text = f"{text} (Evidence: {f.evidence_level}.)" if text else f"Evidence: {f.evidence_level}."
    return text


def change(w: WeekRow) -> str:
    """A week's change on the week before, as a reader needs it."""
    if not w.has_data:
        return "no data"
    if w.base_too_small:
        return "base too small"
    if w.change_pct is None:
        return "-" if w.reference else "not enough data"
    return number(w.change_pct, "%")


def week_km(w: WeekRow, units: str = "km") -> str:
    """A week's running distance for a table column headed with the unit (:func:`dist_label`)."""
    if not w.has_data:
        return "no data"
    return u.number(w.distance_km, units) + (" so far" if w.partial else "")


def longest_km(w: WeekRow, units: str = "km") -> str:
    """A week's longest run for a table column headed with the unit."""
    return u.number(w.longest_run_km, units) if w.has_data else "-"


RECENT_WEEKS = 8  # the weeks a report's table of recent weeks covers


def recent_weeks(weeks: Sequence[WeekRow], units: str = "km", *, latest_first: bool = False,
                 n: int = RECENT_WEEKS) -> list[tuple[list[str], bool]]:
    """The last ``n`` weeks as table rows (week, distance, runs, longest run, change, other
    sports' minutes) with whether the row is a gap: weeks in a row without any recorded
    activity are one row, from the first one's Monday to the last one's Sunday (a break of six
    weeks is one line saying so, not six saying "no data"). No rows when none of those weeks
    has any data: there is no table to show."""
    out: list[tuple[list[str], bool]] = []
    shown = list(weeks[-n:])
    if not any(w.has_data for w in shown):
        return out
    i = 0
    while i < len(shown):
        w = shown[i]
        if w.has_data:
            out.append(([w.week_start.isoformat(), week_km(w, units), str(w.runs), longest_km(w, units), change(w),
                         f"{w.cross_training_min:.0f}"], False))
            i += 1
            continue
        j = i
        while j + 1 < len(shown) and not shown[j + 1].has_data:
            j += 1
        when = w.week_start.isoformat() if j == i else \
            f"{w.week_start.isoformat()} to {(shown[j].week_start + timedelta(days=6)).isoformat()}"
        out.append(([when, week_km(w, units), "-", longest_km(w, units), change(w), "-"], True))
        i = j + 1
    return out[::-1] if latest_first else out


def distance(km: float | None, units: str = "km", digits: int = 1) -> str:
    """``12.3 km`` or ``7.6 mi``: a distance in the reader's units (see :mod:`runload.units`)."""
    return u.distance(km, units, digits)


def limit(km: float | None, units: str = "km", digits: int = 1) -> str:
    """A distance limit in the reader's units, rounded down (see :func:`runload.units.limit`)."""
    return u.limit(km, units, digits)


def dist_number(km: float | None, units: str = "km", digits: int = 1) -> str:
    """A distance's number without its label (``12.3``), for a column headed with :func:`dist_label`."""
    return u.number(km, units, digits)


def dist_label(units: str = "km") -> str:
    """``km`` or ``mi``, for column headings and chart axes."""
    return u.label(units)


def score(v: int | None) -> str:
    return "-" if v is None else str(v)


def pain_trend_words(trend: str, last7: int | None, prev7: int | None) -> str:
    """``rising (worst 6/10 in the last 7 days, 3/10 in the 7 before)``."""
    if last7 is None and prev7 is None:
        # the trend looks at two weeks only: older entries exist and are shown elsewhere
        return "none logged in the last 14 days" if trend == "none logged" else trend
    parts = []
    if last7 is not None:
        parts.append(f"worst {last7}/10 in the last 7 days")
    if prev7 is not None:
        parts.append(f"{prev7}/10 in the 7 before")
    return f"{trend} ({', '.join(parts)})"


def one_line(s: str, limit: int | None = None) -> str:
    """Free text on one line (notes can hold newlines), optionally shortened; control characters
    (an escape sequence in a name or note) are shown escaped, never passed to a terminal."""
    s = inline(" ".join(s.split()))
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return s


def pain_where(p: PainRow | PainEntry) -> str:
    return " ".join(x for x in (p.side, p.location) if x)




def _without_stricter(message: str) -> str:
    # the lead finding already says why a threshold is stricter; its supporters need not repeat it
    i = message.find(" (Threshold ")
    return message[:i] if i >= 0 else message


def supporting(f: Finding, units: str = "km", *, brief: bool = False) -> str:
    """A finding that supports the lead finding of its event, on one line: its title, its
    message (unless ``brief``: the plain-text report keeps to the numbers) and its numbers."""
    nums = finding_numbers(f, units)
    if brief:
        return f.title + (f" [{nums}]" if nums else "")
    return f"{f.title}: {one_line(_without_stricter(f.message))}" + (f" [{nums}]" if nums else "")


def supporting_lines(f: Finding, units: str = "km", *, brief: bool = False) -> list[str]:
    """The findings supporting ``f``, one line per rule: its most serious (then latest) finding
    (``brief``: its title and numbers only), and how many more of the same there were."""
    groups: dict[str, list[Finding]] = {}
    for s in f.supporting:
        groups.setdefault(s.rule_id, []).append(s)
    out = []
    for items in groups.values():
        top = items[0]  # supporters arrive most severe first, then most recent
        line = supporting(top, units, brief=brief)
        if len(items) > 1:
            days = [d for s in items if (d := s.date or s.week_start) is not None]
            first = min(days, default=None)
            line += f" (and {len(items) - 1} more" + (f" since {first.isoformat()}" if first else "") + ")"
        out.append(line)
    return out


def citations(f: Finding) -> list[str]:
    """The sources of a finding and of the findings supporting it, each once."""
    out: list[str] = []
    for c in [*f.citations, *(c for s in f.supporting for c in s.citations)]:
        if c not in out:
            out.append(c)
    return out


def guidance_label(mode: str) -> str:
    """The lead-in for the limits' guidance: ``Return to running: `` and the like."""
    return {"return-to-run": "Return to running: ", "red-flag": "Red flag first: ",
            "held-for-pain": "While the pain lasts: "}.get(mode, "")


def duration(seconds: float | None) -> str:
    """``1:05:12`` or ``42:10``."""
    if seconds is None or seconds != seconds:
        return "-"
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def pace(s_per_km: float | None, units: str = "km") -> str:
    """``5:32`` per kilometre or per mile (the reader's units)."""
    if s_per_km is None or s_per_km != s_per_km or s_per_km <= 0:
        return "-"
    per = s_per_km / u.from_km(1.0, units)
    m, s = divmod(int(round(per)), 60)
    return f"{m}:{s:02d}"


def swelling(value: str | None) -> str:
    return "-" if not value or value == "none" else value


def relieved(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def bpm(v: float | None) -> str:
    """A heart rate as a whole number of beats per minute."""
    return "-" if v is None or v != v else f"{v:.0f}"


def load_week_cells(w: Any) -> list[str]:
    """A :class:`runload.report.model.LoadWeek` as table cells: climb m, session load (with how
    many runs were rated), TRIMP; "-" where not recorded."""
    climb = "-" if w.climb_m is None else f"{w.climb_m:.0f}"
    load = "-" if w.session_load is None else f"{w.session_load:.0f}" + (
        f" ({w.rated}/{w.runs} rated)" if w.rated < w.runs else "")
    trimp = "-" if w.trimp is None else f"{w.trimp:.0f}"
    return [w.week_start.isoformat(), climb, load, trimp]


LOAD_HEADERS = ["week", "climb m", "session load (RPE x min)", "TRIMP"]


def load_table(weeks: Sequence[Any]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the "Load beyond distance" table, newest last, with only the measures
    some week of those shown carries (no empty session-load column for a runner who never rates
    a run)."""
    keep = [0] + [i for i, attr in ((1, "climb_m"), (2, "session_load"), (3, "trimp"))
                  if any(getattr(w, attr) is not None for w in weeks)]
    rows = [[cells[i] for i in keep] for cells in (load_week_cells(w) for w in weeks)]
    return [LOAD_HEADERS[i] for i in keep], rows
def shoe_columns(shoes: Sequence[Any], units: str = "km") -> tuple[list[str], list[list[object]], str]:
    """The shoe table of every rendering: headings, rows and alignment. The columns for a
    retirement distance appear only when a shoe has one (or was retired)."""
    km = dist_label(units)
    full = any(s.retire_km is not None or s.retired_on is not None for s in shoes)
    headers = ["shoe", km, "runs", "last used"] + (["retire at", "left"] if full else [])
    rows: list[list[object]] = []
    for s in shoes:
        row: list[object] = [one_line(s.gear, 40), dist_number(s.distance_km, units, 0), s.runs, s.last_used.isoformat()]
        if full:
            if s.retired_on is not None:
                row += ["retired", s.retired_on.isoformat()]
            elif s.retire_km is None:
                row += ["-", "-"]
            else:
                row += [dist_number(s.retire_km, units, 0), dist_number(s.left_km, units, 0)]
        rows.append(row)
    return headers, rows, "lrrl" + ("rr" if full else "")


def shoe_reminders(shoes: Sequence[Any], units: str = "km") -> list[str]:
    """One sentence for each shoe near or past its retirement distance."""
    out = []
    for s in shoes:
        if not s.reminder or s.retire_km is None or s.left_km is None:
            continue
        if s.left_km > 0:
            out.append(f"{one_line(s.gear, 40)}: {distance(s.distance_km, units, 0)}, "
                       f"{distance(s.left_km, units, 0)} left to the {distance(s.retire_km, units, 0)} you set to "
                       f"retire it at: have the next pair ready.")
        else:
            out.append(f"{one_line(s.gear, 40)}: {distance(s.distance_km, units, 0)}, past the "
                       f"{distance(s.retire_km, units, 0)} you set to retire it at: time for a new pair "
                       f"(runload shoe retire).")
    return out
