"""docs/evidence-on-outcomes.md: runload's defaults measured on the Lövdal data, written from
the stored results (``docs/evidence-on-outcomes.json``) by ``scripts/evidence_on_outcomes.py``.

The page is a function of the results alone, so a test can check that the page and the results
agree, and that the results were made with the rule files as they are now (their digest).
"""

from __future__ import annotations

from typing import Any

from runload.evaluate.evaluation import Evaluation
from runload.evaluate.render import HEAD, table_lines, auc_text, summary, table_rows

LAYOUT_TITLES = {"lovdal-day": "Day layout (each row: the 7 days before it)",
                 "lovdal-week": "Week layout (each row: the 3 weeks before it)"}
COMMAND = ".venv/bin/python scripts/evidence_on_outcomes.py"


def evaluation_of(d: dict[str, Any]) -> Evaluation:
    """An evaluation from its JSON form."""
    names = Evaluation.__dataclass_fields__
    return Evaluation(**{k: v for k, v in d.items() if k in names})


def page(results: dict[str, Any]) -> str:
    """The Markdown page for ``results`` (``{"digest": ..., "seconds": ..., "evaluations":
    {layout: evaluation JSON}}``)."""
    out = ["# runload's warnings against recorded injuries (Lövdal et al. 2021)", "",
           f"<!-- written by `{COMMAND}` from docs/evidence-on-outcomes.json; do not edit by hand -->", "",
           "Each rule of runload, with its default settings, measured against the one public data set of "
           "runners' training and injuries: Lövdal, den Hartigh and Azzopardi 2021, \"Injury Prediction in "
           "Competitive Runners With Machine Learning\", Int J Sports Physiol Perform 16(10), "
           "doi:10.1123/ijspp.2020-0518; data doi:10.34894/UWU9PV (CC0 1.0), kept in `data/lovdal/`. "
           "74 high-level Dutch middle- and long-distance runners over 7 years; one row per athlete and "
           "day with the training before it, and whether an injury began that day. The paper's bagged "
           "XGBoost models reached an AUC of 0.724 (day layout) and 0.678 (week layout).", "",
           "Every row was judged by `runload.assess.assess`, the assessment `runload check` gives, as of "
           "the day before the row's day, with only the training the row carries. A day is flagged by a "
           "rule at a severity when a finding of the rule at that severity or higher is current that day "
           "(the status rows: the status at that level or higher). The relative risk is the injury rate "
           "in the next days when flagged over the rate when not; its 95% interval is a cluster "
           "bootstrap by athlete. \"Injuries flagged before\" counts the injuries with a flagged day in "
           "the days before them, of those with any judged day there (sensitivity); PPV is the share of "
           "flagged days followed by an injury. Athlete-weeks are the rows on the last day of a week.", "",
           "## How the rows became histories", ""]
    evs = {k: evaluation_of(v) for k, v in results["evaluations"].items()}
    for layout, ev in evs.items():
        out += [f"- **{layout}**: " + " ".join(summary(ev)), ""]
    out += ["Rows are never stitched into one stream per athlete: after every injury the athlete's next row "
            "is 22 days or more later, so a stitched history would show a gap before each injury, and the "
            "gap itself would predict it.", ""]
    for layout, ev in evs.items():
        out += [f"## {LAYOUT_TITLES.get(layout, layout)}", ""]
        for h in sorted({r["horizon_days"] for r in ev.rows}):
            rows = table_rows(ev, "day", h)
            out += [f"### Athlete-days, injury within {h} days", "", *table_lines(HEAD, rows, True), ""]
        out += ["Status level against injury (area under the ROC curve, 95% CI):", ""]
        auc = [[u, f"{h} days", auc_text(a),
                f"{a['injured']:,} of {a['total']:,}"] for u, per in ev.status_auc.items() for h, a in per.items()]
        out += [*table_lines(["units", "horizon", "AUC", "followed by an injury"], auc, True), ""]
        out += ["Not judged on these rows:", ""]
        out += [f"- `{n['rule_id']}`: {n['reason']}" for n in ev.not_judged] + [""]
    out += ["## Caveats", "",
            "- Competitive middle- and long-distance runners, coached, training most days: not the "
            "recreational runners most of runload's rules were written for.",
            "- Injuries as that team recorded them (a day an injury began); neither their kind nor their "
            "severity is in the data.",
            "- A row carries 7 days (day layout) or 3 weeks (week layout): a rule that needs more history "
            "(the single-run spike's 30 days, the default 28-day load ratio, the two-week rule's four "
            "weeks) cannot be judged, and the week layout's days are placed by a stated construction "
            "(week totals, the longest day and the number of training days are the data's; the order "
            "of days within a week is not).",
            "- No rows fall in the 21 days before an injury other than the injury's own row, so the 7 "
            "and 14-day horizons compare the injury rows with all others; the 28-day horizon adds the "
            "rows 22 days or more before an injury.",
            "- A relative risk is an association in these runners, not the effect of following a rule.",
            "", f"Regenerate with `{COMMAND}` (the whole evaluation, both layouts; "
            "`--check` compares this page with the stored results and the rule files).", ""]
    return "\n".join(out)
