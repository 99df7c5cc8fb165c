#!/usr/bin/env python3
"""How often runload says "take care": the share of running weeks whose status is a caution or
worse, per history, and which rule led those weeks.

A warning is worth reading only if it is rare enough to be read. For each running week (a
calendar week holding at least one run) the script assesses the athlete as of the week's last
day, the status ``runload check`` shows on that day, and counts the weeks at caution or worse.

Histories:

- the real Strava export in ``../shared/real_histories/strava-2016-2025/activities.csv`` (9
  years, 643 runs; skipped with a message when ``../shared`` is absent), imported through
  ``runload import`` into a scratch store. While the import reads nothing from an
  ``activities.csv`` without its files, the script builds the runs from the CSV's rows itself
  (Activity Type, Activity Date, Distance, Elapsed and Moving Time) and says so;
- generated (``benchmarks/histories.py``): a 3:1 periodised two-year build, a 120-160 km a week
  athlete, a novice from 10 km a week.

Goals (issue "Warnings a runner keeps reading"): the real history at most 15% of running weeks
at caution or worse; the 3:1 build, its cutback step-ups and the elite's build weeks silent (on
track); every spike over 30% of the 30-day longest leads its week; a red flag leads whatever
else fired. ``--check`` exits 1 when a goal is missed.

    .venv/bin/python benchmarks/bench_noise.py [--check]
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from histories import elite, novice, three_one_build, with_spike  # noqa: E402

from runload.assess import Assessment, assess  # noqa: E402
from runload.calendar import local_date, week_start_of  # noqa: E402
from runload.models import Activity, AthleteData, PainEntry, Sport, level_rank  # noqa: E402
from runload.rules.book import Rulebook  # noqa: E402

SHARED = Path(os.environ.get("RUNLOAD_SHARED", REPO.parent / "shared"))
STRAVA_CSV = SHARED / "real_histories" / "strava-2016-2025" / "activities.csv"
# The export does not say where its runner lives; its activity names ("Lunch Ride" at 16:15 UTC,
# "Afternoon Run" at 20:55 UTC) fit eastern North America.
STRAVA_ZONE = "America/Toronto"
REAL_GOAL = 0.15
SPIKE_LEADS_ABOVE = 30.0  # every spike over 30% of the 30-day longest leads its week
LOUD = level_rank("caution")


@dataclass
class Noise:
    """What runload said on each running week of one history."""

    name: str
    weeks: dict[date, str] = field(default_factory=dict)  # week start -> status level
    leads: Counter = field(default_factory=Counter)  # rule that led a week at caution or worse
    spike_not_leading: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def loud(self) -> list[date]:
        return [ws for ws, level in self.weeks.items() if level_rank(level) >= LOUD]

    @property
    def share(self) -> float:
        return len(self.loud) / len(self.weeks) if self.weeks else 0.0


def running_weeks(data: AthleteData, book: Rulebook) -> list[date]:
    """Week starts of the weeks holding a run, in the athlete's own calendar."""
    placed = assess(data, book).activities  # placed in the athlete's zone, as every output reads them
    return sorted({week_start_of(local_date(a), book.first_weekday) for a in placed if a.is_run})


def spike_problems(a: Assessment) -> list[str]:
    """Current events holding a spike over 30% that it does not lead, or that leave the status
    below a caution."""
    out = []
    for f in a.current:
        spikes = [g for g in (f, *f.supporting)
                  if g.rule_id == "single-run-spike" and (g.value or 0) > SPIKE_LEADS_ABOVE]
        if not spikes:
            continue
        if f.rule_id != "single-run-spike":
            out.append(f"{spikes[0].date}: a {spikes[0].value:.0f}% spike supports {f.rule_id}")
        elif a.status.rank < LOUD:
            out.append(f"{f.date}: a {f.value:.0f}% spike left the status at {a.status.level}")
    return out


def measure(name: str, data: AthleteData, book: Rulebook) -> Noise:
    """Assess every running week on its last day."""
    noise = Noise(name)
    t0 = time.perf_counter()
    for ws in running_weeks(data, book):
        a = assess(data, book, ws + timedelta(days=6))
        noise.weeks[ws] = a.status.level
        if a.status.rank >= LOUD:
            noise.leads[a.current[0].rule_id if a.current else a.status.level] += 1
        noise.spike_not_leading += spike_problems(a)
    noise.seconds = time.perf_counter() - t0
    return noise


def red_flag_leads(data: AthleteData, book: Rulebook, day: date) -> bool:
    """A calf red flag logged on ``day`` leads the status and the findings, whatever else fired."""
    flagged = replace(data, pain_entries=(*data.pain_entries,
                                          PainEntry(day, side="left", pain_after=3, calf_swelling_redness_warmth=True)))
    a = assess(flagged, book, day)
    return a.status.level == "urgent" and bool(a.current) and a.current[0].rule_id.startswith("pain-red-flag-")


# ---------------------------------------------------------------- the real history
def strava_history(csv_path: Path, work: Path) -> tuple[AthleteData, str]:
    """The Strava export imported as a user would (``runload import``); the runs built from the
    CSV's rows when the import finds none in an ``activities.csv`` without its files."""
    from runload.store import Store

    env = {**os.environ, "RUNLOAD_CONFIG": str(work / "config.toml")}
    (work / "config.toml").write_text("")
    store = work / "strava.sqlite"
    base = [sys.executable, "-m", "runload", "--store", str(store)]
    subprocess.run([*base, "athlete", "add", "strava", "--name", "Strava runner", "--timezone", STRAVA_ZONE],
                   env=env, check=True, capture_output=True, text=True)
    r = subprocess.run([*base, "import", "--athlete", "strava", str(csv_path), "--format", "json"],
                       env=env, capture_output=True, text=True)
    with Store.open(store) as s:
        data = s.athlete_data("strava")
    runs = sum(1 for a in data.activities if a.is_run)
    if runs:
        return data, f"runload import: {runs} runs"
    try:
        reason = "; ".join(f["reason"] for f in json.loads(r.stdout).get("failed", [])) or "no runs"
    except (json.JSONDecodeError, AttributeError):
        reason = (r.stderr or r.stdout).strip().splitlines()[-1] if (r.stderr or r.stdout).strip() else "no runs"
    acts = csv_runs(csv_path)
    return (AthleteData(data.athlete, tuple(acts)),
            f"runload import read no runs ({reason}): {len(acts)} runs built from the CSV's rows")


def csv_runs(csv_path: Path) -> list[Activity]:
    """The runs of a Strava ``activities.csv``, one summary activity per row: the first
    ``Distance`` column is km, ``Activity Date`` is UTC, times are seconds."""
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]

    def col(name: str) -> int:
        return head.index(name)  # the first column of that name (Strava repeats some)

    kind, when, dist = col("Activity Type"), col("Activity Date"), col("Distance")
    elapsed, moving = col("Elapsed Time"), col("Moving Time")
    out = []
    for row in rows[1:]:
        if row[kind] != "Run" or not row[dist]:
            continue
        start = datetime.strptime(row[when], "%b %d, %Y, %I:%M:%S %p").replace(tzinfo=timezone.utc)
        km = float(row[dist].replace(",", ""))
        out.append(Activity(start, Sport.RUNNING, km * 1000,
                            timer_s=float(row[moving]) if row[moving] else None,
                            elapsed_s=float(row[elapsed]) if row[elapsed] else None,
                            distance_source="export", source_hash=f"strava-csv-{row[0]}"))
    return out


# ---------------------------------------------------------------- report
def main(argv: list[str]) -> int:
    check = "--check" in argv
    book = Rulebook.load(config={})  # the bundled rules with their default severities
    missed: list[str] = []
    print("Share of running weeks at caution or worse (status as of each week's last day)\n")

    if STRAVA_CSV.exists():
        with tempfile.TemporaryDirectory(prefix="runload-noise-") as tmp:
            data, how = strava_history(STRAVA_CSV, Path(tmp))
        print(f"real Strava 2016-2025: {how}")
        real = measure("real Strava 2016-2025", data, book)
        _print(real)
        if real.share > REAL_GOAL:
            missed.append(f"real history: {real.share:.0%} of running weeks, goal at most {REAL_GOAL:.0%}")
        missed += [f"real history, {p}" for p in real.spike_not_leading]
        if not red_flag_leads(data, book, max(real.weeks) + timedelta(days=6)):
            missed.append("real history: a red flag did not lead")
    else:
        print(f"real Strava 2016-2025: skipped ({STRAVA_CSV} is absent)")

    for hist in (three_one_build(), elite(), novice()):
        print(f"\n{hist.name}:")
        noise = measure(hist.name, hist.data, book)
        _print(noise)
        for kind in ("build", "step-up", "cutback", "steady"):
            if kind not in hist.kinds.values():
                continue
            weeks = [ws for ws in hist.weeks(kind) if ws in noise.weeks]
            loud = [ws for ws in weeks if ws in noise.loud]
            print(f"  {kind} weeks at caution or worse: {len(loud)} of {len(weeks)}"
                  + (f" ({', '.join(d.isoformat() for d in loud[:5])}{' ...' if len(loud) > 5 else ''})" if loud else ""))
            goal = hist.name.startswith("3:1") and kind in ("build", "step-up") or \
                hist.name.startswith("120") and kind == "build"
            if goal and loud:
                missed.append(f"{hist.name}: {len(loud)} {kind} weeks at caution or worse, goal none")
        missed += [f"{hist.name}, {p}" for p in noise.spike_not_leading]
        # a spike of 50% in the last build week: it leads the week (a caution), the rise supports it
        spike_week = hist.weeks("build")[-2]
        spiked = with_spike(hist, spike_week, 1.5)
        a = assess(spiked.data, book, spike_week + timedelta(days=6))
        lead = a.current[0] if a.current else None
        led = lead is not None and lead.rule_id == "single-run-spike" and a.status.rank >= LOUD
        print(f"  a 50% longer long run in the week of {spike_week}: status {a.status.level}, led by "
              f"{lead.rule_id if lead else 'nothing'}"
              + (f" (also: {', '.join(s.rule_id for s in lead.supporting)})" if lead and lead.supporting else ""))
        if not led:
            missed.append(f"{hist.name}: a 50% spike did not lead its week")
        if not red_flag_leads(hist.data, book, spike_week + timedelta(days=6)):
            missed.append(f"{hist.name}: a red flag did not lead")

    print("\nGoals: " + ("all met" if not missed else "missed:\n  " + "\n  ".join(missed)))
    return 1 if check and missed else 0


def _print(noise: Noise) -> None:
    loud = len(noise.loud)
    print(f"  running weeks {len(noise.weeks)}, at caution or worse {loud} ({noise.share:.1%}); "
          f"{noise.seconds:.1f} s")
    if noise.leads:
        print("  led by: " + ", ".join(f"{rule} {n}" for rule, n in noise.leads.most_common()))
    levels = Counter(noise.weeks.values())
    print("  statuses: " + ", ".join(f"{lvl} {levels[lvl]}" for lvl in sorted(levels, key=level_rank)))
    for p in noise.spike_not_leading[:5]:
        print(f"  spike not leading: {p}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
