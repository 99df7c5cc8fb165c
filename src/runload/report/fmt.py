"""Wording and number formats every renderer shares, so text, Markdown, HTML and JSON agree."""

from __future__ import annotations

import dataclasses
import enum
import math
from datetime import date, datetime
from typing import Any

from runload import units as u
from runload.models import Finding
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
        return "-"
    return number(w.change_pct, "%")


def week_km(w: WeekRow, units: str = "km") -> str:
    """A week's running distance for a table column headed with the unit (:func:`dist_label`)."""
    if not w.has_data:
        return "no data"
    return u.number(w.distance_km, units) + (" so far" if w.partial else "")


def longest_km(w: WeekRow, units: str = "km") -> str:
    """A week's longest run for a table column headed with the unit."""
    return u.number(w.longest_run_km, units) if w.has_data else "-"


def distance(km: float | None, units: str = "km", digits: int = 1) -> str:
    """``12.3 km`` or ``7.6 mi``: a distance in the reader's units (see :mod:`runload.units`)."""
    return u.distance(km, units, digits)


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


def pain_where(p: PainRow) -> str:
    return " ".join(x for x in (p.side, p.location) if x)


def plain(value: Any, *, max_rows: int = 200) -> Any:
    """Any value an analysis may carry in ``extras`` as JSON-ready data: dataclasses as dicts,
    dates as ISO text, enums as their value, data frames as lists of rows (at most ``max_rows``)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 4)
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if hasattr(value, "to_dict") and hasattr(value, "reset_index"):  # pandas DataFrame or Series
        frame = value.reset_index() if not hasattr(value, "columns") or value.index.name else value
        if hasattr(frame, "columns"):
            return [plain(r) for r in frame.head(max_rows).to_dict("records")]
        return plain(value.head(max_rows).to_dict())
    if hasattr(value, "item"):  # numpy scalar
        return plain(value.item())
    return str(value)


def outline(value: Any, indent: int = 0) -> list[tuple[int, str]]:
    """Nested plain data as (depth, line) pairs, for renderers that show ``extras`` generically."""
    out: list[tuple[int, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            label = str(k).replace("_", " ")
            if isinstance(v, (dict, list)) and v:
                out.append((indent, f"{label}:"))
                out.extend(outline(v, indent + 1))
            else:
                out.append((indent, f"{label}: {_leaf(v)}"))
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, (dict, list)) and v:
                sub = outline(v, indent + 1)
                if sub:
                    out.append((indent, "- " + sub[0][1]))
                    out.extend(sub[1:])
            else:
                out.append((indent, f"- {_leaf(v)}"))
    else:
        out.append((indent, _leaf(value)))
    return out


def _leaf(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (dict, list)):
        return "none"
    return str(v)


def extra_title(key: str) -> str:
    """A heading for an ``extras`` entry: ``return_to_run`` -> ``Return to run``."""
    return key.replace("_", " ").replace("-", " ").capitalize()
