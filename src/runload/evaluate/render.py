"""An :class:`~runload.evaluate.evaluation.Evaluation` as text, Markdown, JSON, CSV or HTML
with a chart of each rule's relative risk and its interval.

Rendering computes nothing: every figure is a field of the evaluation's rows.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import Any

from jinja2 import Environment

from runload.evaluate.evaluation import Evaluation

FORMATS = ("text", "md", "json", "csv", "html")
CSV_COLUMNS = ("rule_id", "severity", "horizon_days", "units", "flagged", "total", "injuries_flagged",
               "injuries_total", "relative_risk", "ci_low", "ci_high", "sensitivity", "ppv", "rate_flagged",
               "rate_not_flagged")
UNIT_WORDS = {"day": "Athlete-days", "week": "Athlete-weeks (the last day of each week)"}


def render(ev: Evaluation, fmt: str) -> str:
    """``ev`` in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return json.dumps(ev.to_dict(), indent=2) + "\n"
    if fmt == "csv":
        return _csv(ev)
    if fmt == "html":
        return _html(ev)
    return _text(ev, md=fmt == "md")


def _num(v: float | None, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-" if v is None or math.isnan(v) else "inf"
    return f"{v:.{digits}f}"


def _pct(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{100 * v:.1f}%"


def rr_text(r: dict[str, Any]) -> str:
    """``1.33 (1.02-1.71)``, or ``-`` when there is no ratio (never flagged, or no injury)."""
    if r["relative_risk"] is None or (isinstance(r["relative_risk"], float) and math.isnan(r["relative_risk"])):
        return "-"
    return f"{_num(r['relative_risk'])} ({_num(r['ci_low'])}-{_num(r['ci_high'])})"


def auc_text(a: dict[str, Any]) -> str:
    """``0.55 (0.52-0.58)``, or ``-`` when no day (or every day) was followed by an injury."""
    if a["auc"] is None or (isinstance(a["auc"], float) and math.isnan(a["auc"])):
        return "-"
    return f"{_num(a['auc'])} ({_num(a['ci_low'])}-{_num(a['ci_high'])})"


def table_rows(ev: Evaluation, units: str, horizon: int) -> list[list[str]]:
    """The rows of one table (units and horizon) as text cells."""
    out = []
    for r in ev.rows:
        if r["units"] != units or r["horizon_days"] != horizon:
            continue
        share = r["flagged"] / r["total"] if r["total"] else math.nan
        out.append([r["rule_id"], r["severity"], f"{r['flagged']:,} of {r['total']:,} ({_pct(share)})",
                    f"{_pct(r['rate_flagged'])} / {_pct(r['rate_not_flagged'])}", rr_text(r),
                    f"{r['injuries_flagged']} of {r['injuries_total']}", _pct(r["ppv"])])
    return out


HEAD = ["rule", "severity", "flagged", "injury rate flagged / not", "relative risk (95% CI)",
        "injuries flagged before", "PPV"]


def horizons(ev: Evaluation) -> list[int]:
    return sorted({r["horizon_days"] for r in ev.rows})


def summary(ev: Evaluation) -> list[str]:
    """The lines saying what was evaluated and how."""
    lines = [f"{ev.athletes:,} athletes, {ev.days:,} judged days, {ev.injuries:,} injuries. Intervals: 95%, "
             f"cluster bootstrap by athlete ({ev.bootstrap:,} draws, seed {ev.seed})."]
    if ev.how:
        lines.append(ev.how)
    for v in ev.variants:
        params = ", ".join(f"{k} = {x}" for k, x in v["params"].items())
        lines.append(f"{v['rule_id']}: {v['from']} with {params} ({v['why']}).")
    return lines


def _text(ev: Evaluation, *, md: bool) -> str:
    out = [f"# Warnings against injuries: {ev.source}" if md else f"Warnings against injuries: {ev.source}", ""]
    out += [*summary(ev), ""]
    for units in ("day", "week"):
        for h in horizons(ev):
            title = f"{UNIT_WORDS[units]}, injury within {h} days"
            out.append(f"## {title}" if md else title)
            out.append("")
            out += table_lines(HEAD, table_rows(ev, units, h), md)
            out.append("")
    title = "Status level against injury (area under the ROC curve, 95% CI)"
    out += [f"## {title}" if md else title, ""]
    auc_rows = [[UNIT_WORDS[u].split(" (")[0], f"{h} days", auc_text(a),
                 f"{a['injured']:,} of {a['total']:,}"]
                for u, per in ev.status_auc.items() for h, a in per.items()]
    out += table_lines(["units", "horizon", "AUC", "followed by an injury"], auc_rows, md)
    if ev.not_judged:
        out += ["", "## Not judged on these data" if md else "Not judged on these data:", ""]
        out += [f"- `{n['rule_id']}`: {n['reason']}" if md else f"  {n['rule_id']}: {n['reason']}"
                for n in ev.not_judged]
    return "\n".join(out).rstrip() + "\n"


def table_lines(head: list[str], rows: list[list[str]], md: bool) -> list[str]:
    """A table as lines: Markdown pipes, or columns padded to their widest cell."""
    if md:
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
                *("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows)]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*head).rstrip(), *(fmt.format(*r).rstrip() for r in rows)]


def _csv(ev: Evaluation) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in ev.to_dict()["rows"]:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in CSV_COLUMNS])
    return buf.getvalue()


def _positive(v: object) -> bool:
    return isinstance(v, float) and math.isfinite(v) and v > 0


def chart_svg(ev: Evaluation, units: str = "day") -> str:
    """The relative risk of every rule and severity with its 95% interval, one marker per
    horizon, on a log scale with the line of no effect at 1 (SVG text, no date in it)."""
    import matplotlib  # noqa: PLC0415 - heavy: only the HTML page draws a chart
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - as above
    from matplotlib.figure import Figure  # noqa: PLC0415 - as above

    hs = horizons(ev)
    keys = list(dict.fromkeys((r["rule_id"], r["severity"]) for r in ev.rows if r["units"] == units))
    rows = {(r["rule_id"], r["severity"], r["horizon_days"]): r for r in ev.rows if r["units"] == units}
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00"]
    with matplotlib.rc_context({"svg.hashsalt": "runload", "font.size": 9}):
        fig = Figure(figsize=(7.5, 0.32 * len(keys) + 1.4))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        finite = [v for r in rows.values() for v in (r["ci_low"], r["ci_high"], r["relative_risk"])
                  if isinstance(v, float) and math.isfinite(v) and v > 0]
        lo, hi = (min(finite + [0.5]) / 1.3, max(finite + [2.0]) * 1.3)
        for j, h in enumerate(hs):
            off = (j - (len(hs) - 1) / 2) * 0.22
            for i, k in enumerate(keys):
                r = rows.get((*k, h))
                if r is None:
                    continue
                rr = r["relative_risk"]
                if not (isinstance(rr, float) and math.isfinite(rr) and rr > 0):
                    continue
                # an open end of the interval (no lower bound above 0, no finite upper one) runs to the edge
                a = r["ci_low"] if _positive(r["ci_low"]) else lo
                b = r["ci_high"] if _positive(r["ci_high"]) else hi
                y = len(keys) - 1 - i + off
                ax.plot([a, b], [y, y], color=colours[j % len(colours)], lw=1.4)
                ax.plot([rr], [y], "o", color=colours[j % len(colours)], ms=4,
                        label=f"within {h} days" if i == 0 or not ax.get_legend_handles_labels()[1].count(
                            f"within {h} days") else None)
        ax.axvline(1.0, color="#555555", lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.set_xlim(lo, hi)
        ax.set_yticks(range(len(keys)), [f"{k[0]} ({k[1]})" for k in reversed(keys)])
        ax.set_xlabel("relative risk of an injury when flagged (95% cluster-bootstrap interval; log scale)")
        handles, labels = ax.get_legend_handles_labels()
        seen = dict(zip(labels, handles))
        if seen:
            ax.legend(seen.values(), seen.keys(), loc="lower right", fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    data = buf.getvalue().decode("utf-8")
    data = re.sub(r"<\?xml[^>]*>\s*", "", data, count=1)
    return re.sub(r"<!DOCTYPE[^>]*>\s*", "", data, count=1)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Warnings against injuries: {{ ev.source }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:72rem;margin:1rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
td,th{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:left}
figure{margin:0}</style></head><body>
<h1>Warnings against injuries: {{ ev.source }}</h1>
{% for line in summary %}<p>{{ line }}</p>
{% endfor %}
{% for units, svg in charts %}<figure>{{ svg | safe }}<figcaption>{{ words[units] }}: relative risk per rule and
severity, one marker per horizon; the dashed line is no effect.</figcaption></figure>
{% endfor %}
{% for t in tables %}<h2>{{ t.title }}</h2>
<table><thead><tr>{% for h in head %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for r in t.rows %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% endfor %}
<h2>Status level against injury</h2>
<table><thead><tr><th>units</th><th>horizon</th><th>AUC (95% CI)</th><th>followed by an injury</th></tr></thead><tbody>
{% for r in auc %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% if ev.not_judged %}<h2>Not judged on these data</h2><ul>
{% for n in ev.not_judged %}<li><code>{{ n.rule_id }}</code>: {{ n.reason }}</li>
{% endfor %}</ul>{% endif %}
</body></html>
"""


def _html(ev: Evaluation) -> str:
    env = Environment(autoescape=True)
    tables = [{"title": f"{UNIT_WORDS[u]}, injury within {h} days", "rows": table_rows(ev, u, h)}
              for u in ("day", "week") for h in horizons(ev)]
    auc = [[u, f"{h} days", auc_text(a),
            f"{a['injured']:,} of {a['total']:,}"] for u, per in ev.status_auc.items() for h, a in per.items()]
    charts = [(u, chart_svg(ev, u)) for u in ("day", "week")]
    return env.from_string(_PAGE).render(ev=ev, summary=summary(ev), tables=tables, head=HEAD, auc=auc,
                                         charts=charts, words=UNIT_WORDS)
