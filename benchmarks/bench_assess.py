#!/usr/bin/env python3
"""Assessment speed, side by side with the previous approach in the same run.

Measures, for this runload and (when git can check it out) the commit before the assessment
(``PREVIOUS`` below: every layer recomputed its frames and re-read the rules):

- one athlete with 3 years of runs: the HTML report with every chart (target < 0.5 s),
- a roster of 100 athletes with a year each, and of 1,000 (target < 30 s; the previous approach
  only with ``RUNLOAD_BENCH_FULL=1``, it takes minutes),
- an email run for 100 athletes and 10 coaches, written to an outbox (target < 20 s);

and first, in this process, :func:`runload.assess.assess` of one athlete-year and of ten years as
a ratio to the same series in plain numpy (:func:`numpy_reference`), interleaved, medians of 9
(target: within 8x per athlete-year). ``RUNLOAD_BENCH_RATIOS_ONLY=1`` measures only that.

Each side runs in its own process on its own store (generated once from the same seeds and kept
in ``~/.cache/runload-bench``). The machine is shared: the script prints the median of several
runs and CPU seconds beside wall seconds, and the ratio previous / now.

    .venv/bin/python benchmarks/bench_assess.py
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

PREVIOUS = "7d691e6"  # the last commit before the assessment
CACHE = Path(os.environ.get("RUNLOAD_BENCH_CACHE", Path.home() / ".cache" / "runload-bench"))
REPO = Path(__file__).resolve().parents[1]
END = date(2026, 6, 28)
REPEAT = 5


# ---------------------------------------------------------------- data (both sides run this)
def add_athlete(store, athlete_id: str, days: int, seed: int, email: bool = False) -> None:
    """``days`` of training up to END: 4-5 runs a week with some variety, a weekly ride, two
    shoes, a two-week break, and a pain log in the last month."""
    from runload.models import Activity, Athlete, PainEntry, Sport

    rnd = random.Random(seed)
    store.add_athlete(Athlete(athlete_id, f"Runner {athlete_id}", timezone="Europe/Berlin",
                              email=f"{athlete_id}@example.org" if email else None))
    start = END - timedelta(days=days - 1)
    with (store.atomic() if hasattr(store, "atomic") else store.transaction()) as conn:  # the previous approach says transaction()
        for i in range(days):
            day = start + timedelta(days=i)
            if days - 200 <= i < days - 186:
                continue  # a break with nothing recorded
            t = datetime(day.year, day.month, day.day, 6, tzinfo=timezone.utc)
            if rnd.random() < 0.65:
                km = rnd.uniform(5, 12) * (1.8 if day.weekday() == 6 else 1.0)
                store.insert_activity(conn, athlete_id, Activity(
                    t, Sport.RUNNING, km * 1000, timer_s=km * rnd.uniform(290, 360), utc_offset_s=7200,
                    avg_hr_bpm=rnd.uniform(135, 165), gear="Shoe A" if i % 2 else "Shoe B",
                    source_hash=f"{athlete_id}-r{i}"))
            if day.weekday() == 3:
                store.insert_activity(conn, athlete_id, Activity(
                    t + timedelta(hours=10), Sport.CYCLING, 30000, timer_s=3600, utc_offset_s=7200,
                    source_hash=f"{athlete_id}-c{i}"))
    store.add_pain_entries(athlete_id, [
        PainEntry(END - timedelta(days=d), side="left", pain_during=rnd.randint(0, 5), pain_after=rnd.randint(0, 5),
                  pain_next_morning=rnd.randint(0, 3)) for d in range(0, 28, 3)])


def store_for(side: str, name: str, build) -> Path:
    """A cached store for one side (each side's own schema), built on first use; its name holds
    the schema version, so a store an older runload built is not read as if this one had."""
    from runload import store as store_module

    path = CACHE / f"assess-{side}-{name}-schema{getattr(store_module, 'SCHEMA_VERSION', 0)}.sqlite"
    if not path.exists():
        from runload.store import Store

        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        with Store.open(tmp) as store:
            build(store)
        tmp.rename(path)
    return path


def _clock(fn) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def _children_cpu() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime


# ---------------------------------------------------------------- the driver (one side, one task)
def drive(side: str, task: str) -> dict:
    """Time ``task`` with the runload importable in this process; ``side`` names its store."""
    from runload.store import Store

    week = END - timedelta(days=END.weekday())
    if task == "report":
        path = store_for(side, "three-years", lambda s: add_athlete(s, "three-years", 3 * 365, 1))
        from runload.report import render

        def once():
            with Store.open(path) as store:
                render(_report(side, store, "three-years", week), "html")
        once()  # imports, rules and matplotlib paid once, as in a long-running process
        runs = [_clock(once) for _ in range(REPEAT)]
        return {"wall": [w for w, _ in runs], "cpu": [c for _, c in runs]}
    if task.startswith("roster"):
        n = int(task.removeprefix("roster"))
        path = store_for(side, f"roster{n}", lambda s: [add_athlete(s, f"a{i:04d}", 365, 100 + i) for i in range(n)])
        from runload.report.text import render_roster_text

        def once():
            with Store.open(path) as store:
                render_roster_text(_roster(side, store, week))
        cpu0 = _children_cpu()
        w, c = _clock(once)
        return {"wall": [w], "cpu": [c + _children_cpu() - cpu0]}
    if task == "email":
        def build(s):
            for i in range(100):
                add_athlete(s, f"a{i:04d}", 365, 100 + i, email=True)
            for k in range(10):
                s.add_coach(f"coach{k}", f"coach{k}@example.org", f"Coach {k}", [f"a{i:04d}" for i in range(k * 10, k * 10 + 10)])
        path = store_for(side, "email100", build)
        from runload.mail.job import plan, run

        def once():
            with Store.open(path) as store, tempfile.TemporaryDirectory() as out:
                planned = plan(store, week=week, now=datetime(2026, 6, 29, 6, tzinfo=timezone.utc))
                result = run(store, planned, mail_from="runload@example.net", outbox=Path(out))
                assert len(result.written) == 110, len(result.written)
        cpu0 = _children_cpu()
        w, c = _clock(once)
        return {"wall": [w], "cpu": [c + _children_cpu() - cpu0]}
    raise SystemExit(f"unknown task {task}")


def _report(side: str, store, athlete_id: str, week: date):
    if side == "previous":
        from runload.report import build_report

        return build_report(store, athlete_id, week=week, today=END)
    from runload.session import Assessor
    from runload.report.build import report_for

    return report_for(Assessor(store), athlete_id, week=week, today=END)


def _roster(side: str, store, week: date):
    from runload.report.roster import build_roster

    if side == "previous":
        return build_roster(store, week=week, today=END)
    from runload.session import Assessor
    from runload.calendar import week_period

    return build_roster(Assessor(store), week_period(week), today=END)


# ---------------------------------------------------------------- assess() against plain numpy
def athlete_data(days: int, seed: int):
    """``days`` of training up to END as plain data (no store), as :func:`add_athlete` writes it."""
    from runload.models import Activity, Athlete, AthleteData, PainEntry, Sport

    rnd = random.Random(seed)
    start = END - timedelta(days=days - 1)
    acts = []
    for i in range(days):
        day = start + timedelta(days=i)
        if days - 200 <= i < days - 186:
            continue
        t = datetime(day.year, day.month, day.day, 6, tzinfo=timezone.utc)
        if rnd.random() < 0.65:
            km = rnd.uniform(5, 12) * (1.8 if day.weekday() == 6 else 1.0)
            acts.append(Activity(t, Sport.RUNNING, km * 1000, timer_s=km * rnd.uniform(290, 360), utc_offset_s=7200,
                                 avg_hr_bpm=rnd.uniform(135, 165), gear="Shoe A" if i % 2 else "Shoe B",
                                 source_hash=f"r{i}"))
        if day.weekday() == 3:
            acts.append(Activity(t + timedelta(hours=10), Sport.CYCLING, 30000, timer_s=3600, utc_offset_s=7200,
                                 source_hash=f"c{i}"))
    pain = tuple(PainEntry(END - timedelta(days=d), side="left", pain_during=rnd.randint(0, 5),
                           pain_after=rnd.randint(0, 5), pain_next_morning=rnd.randint(0, 3)) for d in range(0, 28, 3))
    return AthleteData(Athlete("bench", "Runner", timezone="Europe/Berlin"), tuple(acts), pain)


def numpy_reference(data) -> dict:
    """The same series in plain numpy, from the same activities: daily and weekly running km, the
    weekly change, the 7:28 coupled ACWR, Foster monotony and strain per week, CTL/ATL (42/7
    days) and each run against the longest run of the 30 days before it. What assess() computes
    on top of this (gaps, references, words, rules, limits, pain) is its own work."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    from runload.models import Sport

    acts = data.activities
    start = np.array([a.start_utc.timestamp() + (a.utc_offset_s or 0) for a in acts])
    run = np.array([a.sport is Sport.RUNNING for a in acts])
    km = np.array([a.distance_m for a in acts]) / 1000.0
    day = (start // 86400).astype(np.int64)
    rday, rkm = day[run], km[run]
    d0 = int(rday.min())
    n = int(day.max()) - d0 + 1
    daily = np.bincount(rday - d0, weights=rkm, minlength=n)
    longest = np.zeros(n)
    np.maximum.at(longest, rday - d0, rkm)
    week = (np.arange(n) + (d0 + 3) % 7) // 7  # day 0 (1970-01-01) was a Thursday: Monday weeks
    weekly = np.bincount(week - week[0], weights=daily)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(weekly[:-1] > 0, (weekly[1:] - weekly[:-1]) / weekly[:-1] * 100.0, np.nan)
        c = np.concatenate(([0.0], np.cumsum(daily)))
        acute = (c[7:] - c[:-7])[21:] / 7
        chronic = (c[28:] - c[:-28]) / 28
        acwr = acute / chronic
        skip = (-(d0 + 3)) % 7
        grid = daily[skip:skip + (n - skip) // 7 * 7].reshape(-1, 7)
        mono = grid.mean(axis=1) / grid.std(axis=1, ddof=1)
        strain = grid.sum(axis=1) * mono
    ctl, atl = np.empty(n), np.empty(n)
    ct = at = float(daily[:28].mean())
    for i, x in enumerate(daily.tolist()):
        ct += (x - ct) / 42.0
        at += (x - at) / 7.0
        ctl[i], atl[i] = ct, at
    before = np.concatenate((np.zeros(30), longest))
    ref = sliding_window_view(before, 30)[:n].max(axis=1)[rday - d0]  # days d-30 .. d-1
    spike = np.where(ref > 0, (rkm / np.where(ref > 0, ref, 1.0) - 1.0) * 100.0, np.nan)
    return {"weekly": weekly, "change": change, "acwr": acwr, "monotony": mono, "strain": strain, "ctl": ctl,
            "atl": atl, "spike": spike}


def assess_ratios(repeat: int = 9) -> list[tuple[str, float, float]]:
    """assess() of one athlete-year and of ten years against :func:`numpy_reference` on the same
    data, interleaved in this process: (label, median assess s, median reference s), in CPU
    seconds of this thread (the machine may be shared: waiting for a core is not counted)."""
    from runload.assess import assess
    from runload.rules.book import Rulebook

    book = Rulebook.load(config={}, paths=[REPO / "rules"])
    out = []
    for label, days in (("one athlete-year", 365), ("ten years", 3650)):
        data = athlete_data(days, 1)
        assess(data, book), numpy_reference(data)  # imports and first-use costs paid once
        ours, ref = [], []
        for _ in range(repeat):
            ours.append(_charged(lambda d: assess(d, book), data))
            ref.append(_charged(numpy_reference, data))
        out.append((label, statistics.median(ours), statistics.median(ref)))
    return out


def _charged(fn, data) -> float:
    """CPU seconds of ``fn`` on its own fresh copy of ``data`` (as read anew from a store:
    nothing the other side computed on an activity is kept), from a collected heap, with the
    young collection it leaves due charged to it (assess() holds the collector back while it
    runs: the collection it puts off is its cost, not the next call's)."""
    mine = fresh(data)
    gc.collect()
    c0 = time.thread_time()
    result = fn(mine)
    gc.collect(0)
    spent = time.thread_time() - c0
    del result
    return spent


def fresh(data):
    """``data`` with new activity objects (what runload.calendar.local_date keeps on one is gone)."""
    from dataclasses import replace

    return replace(data, activities=tuple(replace(a) for a in data.activities))


ASSESS_RATIO_TARGET = 8.0  # assess() of an athlete-year within 8x of plain numpy on the same series


def print_assess_ratios() -> bool:
    """Print the ratios; True when the athlete-year is within :data:`ASSESS_RATIO_TARGET`."""
    ok = True
    print("assess() against plain numpy (same data, same process, interleaved, median of 9, CPU time):")
    for label, ours, ref in assess_ratios():
        ratio = ours / ref
        line = f"  {label}: assess {ours * 1000:.1f} ms, numpy {ref * 1000:.2f} ms: {ratio:.1f}x"
        if label == "one athlete-year":
            ok = ratio <= ASSESS_RATIO_TARGET
            line += f" (target <= {ASSESS_RATIO_TARGET:g}x {'ok' if ok else 'TOO SLOW'})"
        print(line)
    return ok


# ---------------------------------------------------------------- the orchestrator
def previous_tree() -> Path | None:
    """A checkout of the previous approach (a git worktree in the cache), or None."""
    tree = CACHE / f"previous-{PREVIOUS}"
    if (tree / "src" / "runload").is_dir():
        return tree
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), PREVIOUS], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"(previous approach not measured: cannot check out {PREVIOUS}: {exc})")
        return None
    return tree


def run_side(side: str, task: str, tree: Path | None) -> dict | None:
    env = dict(os.environ)
    env.pop("RUNLOAD_CONFIG", None)
    env["RUNLOAD_STORE"] = "/nonexistent/bench.sqlite"
    if side == "previous":
        if tree is None:
            return None
        env["PYTHONPATH"] = str(tree / "src")
        env["RUNLOAD_RULES"] = str(tree / "rules")
    else:
        env["PYTHONPATH"] = str(REPO / "src")
        env["RUNLOAD_RULES"] = str(REPO / "rules")
    with tempfile.TemporaryDirectory() as home:
        env["XDG_CONFIG_HOME"] = home
        r = subprocess.run([sys.executable, __file__, "--driver", side, task], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"  {side} {task} failed:\n{r.stderr[-2000:]}")
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> int:
    full = os.environ.get("RUNLOAD_BENCH_FULL") == "1"
    slow = not print_assess_ratios()
    if os.environ.get("RUNLOAD_BENCH_RATIOS_ONLY") == "1":
        return 1 if slow else 0
    tree = previous_tree()
    tasks = [("report", "3-year athlete: HTML report with every chart", 0.5, True),
             ("roster100", "roster of 100 athletes x 1 year", 30.0, True),
             ("roster1000", "roster of 1,000 athletes x 1 year", 30.0, full),
             ("email", "email run: 100 athletes + 10 coaches (outbox)", 20.0, True)]
    print(f"median wall s (CPU s) · previous = {PREVIOUS} · target for now")
    for task, label, target, with_previous in tasks:
        now = run_side("now", task, tree)
        before = run_side("previous", task, tree) if with_previous else None
        if now is None:
            slow = True
            continue
        nw, nc = statistics.median(now["wall"]), statistics.median(now["cpu"])
        line = f"{label}: now {nw:.2f} s ({nc:.2f} s CPU)"
        if before is not None:
            bw, bc = statistics.median(before["wall"]), statistics.median(before["cpu"])
            line += f"; previous {bw:.2f} s ({bc:.2f} s CPU); {bw / nw:.1f}x faster, {bc / nc:.1f}x less CPU"
        elif not with_previous:
            line += "; previous not run (RUNLOAD_BENCH_FULL=1 runs it)"
        ok = nw < target
        slow |= not ok
        print(f"{line}; target < {target:g} s {'ok' if ok else 'TOO SLOW'}")
    return 1 if slow else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--driver":
        print(json.dumps(drive(sys.argv[2], sys.argv[3])))
        sys.exit(0)
    sys.exit(main())
