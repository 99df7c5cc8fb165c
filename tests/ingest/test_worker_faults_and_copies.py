"""Hostile input and faults at import: one file is one failure whatever its worker does, copies
inside one file are one run, a day and a week hold what a person can run, a run needs a time, text
from files is cleaned like text from the command line, symlinks out of the folder are not
followed, and reasons are in words."""

from __future__ import annotations

import gc
import multiprocessing
import time
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from runload import bounds
from runload.ingest.fit import parse_fit
from runload.models import Activity, Sport
from builders import T0, fit_run, fit_sessions, gpx_run, import_files as _import

pytestmark = pytest.mark.slow  # FIT files built with fit-tool, worker processes

forked = pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="needs forked workers to patch")


# ---------------------------------------------------------------- 1. one file is one failure
class _TooBigToSend(float):
    """A value whose sending back from the worker runs out of memory."""

    def __reduce__(self):
        raise MemoryError()


@pytest.mark.slow  # worker processes, or files of a thousand sessions
@forked
def test_a_memory_error_raised_in_the_worker_fails_one_file(tmp_path, athlete, store_path, monkeypatch):
    """A MemoryError raised in the worker while sending its result back (pickled to the importer)
    escaped _parse_all as a traceback: no summary, and the other files were not stored. The
    garbage collector's freeze for the workers is lifted after, a new pool or not."""
    import dataclasses

    import runload.ingest.pool as ingest

    real = ingest.parse_source

    def hog(kind, data, name, *rest):
        acts = real(kind, data, name, *rest)
        if "hog" in name:
            acts = [dataclasses.replace(a, hr_zone_s={140: _TooBigToSend(1.0)}) for a in acts]
        return acts

    monkeypatch.setattr(ingest, "parse_source", hog)
    for i in range(4):
        (tmp_path / f"{i}.fit").write_bytes(fit_run(T0 + timedelta(days=i), minutes=2))
    (tmp_path / "2-hog.fit").write_bytes(fit_run(T0 + timedelta(days=9), minutes=2))
    summary, acts = _import(store_path, athlete, tmp_path, workers=2)
    assert summary.failed == [{"file": str(tmp_path / "2-hog.fit"), "reason": ingest._MEMORY_REASON}]
    assert len(acts) == 4 and "MemoryError" not in ingest._MEMORY_REASON
    assert gc.get_freeze_count() == 0


@pytest.mark.slow  # worker processes, or files of a thousand sessions
@forked
def test_a_hanging_reader_is_stopped_after_the_files_time_budget(tmp_path, athlete, store_path, monkeypatch):
    import runload.ingest.pool as ingest

    real = ingest.parse_source

    def stuck(kind, data, name, *rest):
        if "stuck" in name:
            time.sleep(600)
        return real(kind, data, name, *rest)

    monkeypatch.setattr(ingest, "parse_source", stuck)
    monkeypatch.setattr(ingest, "FILE_SECONDS", 2.0)
    for i in range(5):
        (tmp_path / f"{i}.fit").write_bytes(fit_run(T0 + timedelta(days=i), minutes=2))
    (tmp_path / "1-stuck.fit").write_bytes(fit_run(T0 + timedelta(days=9), minutes=2))
    t = time.monotonic()
    summary, acts = _import(store_path, athlete, tmp_path, workers=2)
    assert time.monotonic() - t < 60
    assert [f["file"] for f in summary.failed] == [str(tmp_path / "1-stuck.fit")]
    assert "took longer than runload gives one file (2 s)" in summary.failed[0]["reason"]
    assert len(acts) == 5


@pytest.mark.slow  # worker processes, or files of a thousand sessions
def test_chained_fit_is_read_in_time_linear_in_its_size(tmp_path, athlete, store_path):
    """200 chained copies of one activity (once: 153 s, then a MemoryError): one run, fast."""
    one = fit_run(T0, minutes=10)
    timings = {}
    for n in (50, 200):
        t = time.perf_counter()
        acts = parse_fit(one * n, "chain.fit")
        timings[n] = time.perf_counter() - t
        assert len(acts) == 1 and acts[0].distance_m == pytest.approx(1800)
        assert any(f"repeats its session {n - 1:,} times" in w for w in acts[0].warnings)
    assert timings[200] < 10 and timings[200] < 8 * timings[50] + 0.5  # x4 the size: about x4 the time
    (tmp_path / "chain.fit").write_bytes(one * 200)
    (tmp_path / "other.fit").write_bytes(fit_run(T0 + timedelta(days=1), minutes=2))
    summary, acts = _import(store_path, athlete, tmp_path, workers=2)
    assert not summary.failed and len(acts) == 2


# ---------------------------------------------------------------- 2. copies in a file; days and weeks
@pytest.mark.slow  # worker processes, or files of a thousand sessions
def test_a_session_repeated_a_thousand_times_is_one_run(tmp_path, athlete, store_path):
    (tmp_path / "rep.fit").write_bytes(fit_sessions([T0] * 1001, laps=3))
    summary, acts = _import(store_path, athlete, tmp_path / "rep.fit")
    assert not summary.failed and len(acts) == 1  # once: 1,001 activities, a week of 6,736 km
    assert acts[0].distance_m == 10_000 and len(acts[0].laps) == 1


def test_copies_inside_one_file_are_compared_like_copies_across_files():
    from runload.ingest.dedupe import within_file

    run = Activity(start_utc=T0, sport=Sport.RUNNING, distance_m=5000, timer_s=1500, elapsed_s=1500)
    shifted = Activity(start_utc=T0 + timedelta(seconds=90), sport=Sport.RUNNING, distance_m=4900, timer_s=1400,
                       elapsed_s=1400, avg_hr_bpm=150)
    swim = Activity(start_utc=T0 - timedelta(minutes=31), sport=Sport.SWIMMING, distance_m=1500, elapsed_s=1800)
    t1 = Activity(start_utc=T0 - timedelta(seconds=60), sport=Sport.OTHER, distance_m=0, elapsed_s=60)
    kept, dropped = within_file([swim, t1, run, shifted])
    # the richer copy of the run (heart rate) is kept; a transition a minute before a leg is not a copy
    assert dropped == 1 and kept == [swim, t1, shifted]


def test_a_week_no_one_can_run_is_refused(tmp_path, athlete, store_path):
    # 28 runs a day of 10 km in 45 min, 50 min apart, for a week: each run fine, the week 1,860 km
    # (the last runs of the seventh day fall on the next Monday in Stockholm)
    starts = [T0 + timedelta(days=d, minutes=50 * k) for d in range(7) for k in range(28)]
    (tmp_path / "week.fit").write_bytes(fit_sessions(starts, record_s=900))  # 196 sessions: records sparse
    (tmp_path / "fine.fit").write_bytes(fit_run(T0 - timedelta(days=3), minutes=2))
    summary, acts = _import(store_path, athlete, tmp_path)
    assert [Path(f["file"]).name for f in summary.failed] == ["week.fit"]
    assert "in the week of 2024-05-06 add up to 1,860 km, more than anyone has run in a week" in \
        summary.failed[0]["reason"]
    assert len(acts) == 1


def test_a_day_of_more_than_24_hours_of_running_is_refused():
    tz = timezone.utc
    runs = [Activity(start_utc=T0 + timedelta(hours=h), sport=Sport.RUNNING, distance_m=1000, timer_s=7200)
            for h in range(0, 15)]  # overlapping two-hour runs: 30 h of running on 2024-05-06 and 07
    problem = bounds.period_problem(runs, tz)
    assert problem and "on 2024-05-06 add up to" in problem and "more than the day holds" in problem
    assert bounds.period_problem(runs[:8], tz) is None  # 16 h
    # a store that already holds such a day is not the fault of a run on another day
    later = Activity(start_utc=T0 + timedelta(days=3), sport=Sport.RUNNING, distance_m=1000, timer_s=600)
    assert bounds.period_problem([*runs, later], tz, new=[later]) is None


# ---------------------------------------------------------------- 3. a run needs a time
def test_a_gpx_whose_points_share_one_time_is_not_counted_as_running(tmp_path, athlete, store_path):
    frozen = gpx_run(T0, points=400, sport="running", step_deg=3e-4)
    stamp = T0.strftime("%Y-%m-%dT%H:%M:%SZ")
    import re

    frozen = re.sub(rb"<time>[^<]+</time>", f"<time>{stamp}</time>".encode(), frozen)
    (tmp_path / "frozen.gpx").write_bytes(frozen)
    summary, acts = _import(store_path, athlete, tmp_path / "frozen.gpx")
    (a,) = acts
    assert a.sport is Sport.UNKNOWN and a.distance_m > 10_000  # once: a 12.8 km run with no duration
    assert any("with no time" in w and "not counted as running" in w for w in a.warnings)


def test_a_distance_with_no_time_is_not_running():
    a = Activity(start_utc=T0, sport=Sport.RUNNING, distance_m=8000)
    checked = bounds.check_activity(a)
    assert checked.activity is not None and checked.activity.sport is Sport.UNKNOWN
    assert bounds.check_activity(Activity(start_utc=T0, sport=Sport.RUNNING, distance_m=8000,
                                          timer_s=2400)).activity.sport is Sport.RUNNING


# ---------------------------------------------------------------- 8. text from files
def test_c1_and_bidi_controls_in_a_gpx_name_are_escaped_at_the_door(tmp_path, athlete, store_path, cli):
    gpx = gpx_run(T0).replace(b"<name>Morning</name>", "<name>Run\u0085x\u009b2J\u202eevil</name>".encode())
    (tmp_path / "odd.gpx").write_bytes(gpx)
    summary, (a,) = _import(store_path, athlete, tmp_path / "odd.gpx")
    assert a.name == "Run\\u0085x\\u009b2J\\u202eevil"
    out = tmp_path / "export"
    r = cli("export", "--athlete", athlete, str(out))
    assert r.exit_code == 0, r.output
    text = (out / "activities.csv").read_text(encoding="utf-8")
    assert "Run\\u0085x" in text and not any(c in text for c in "\u0085\u009b\u202e")


# ---------------------------------------------------------------- 9. links out of the folder
def test_links_to_files_outside_the_folder_are_not_followed(tmp_path, athlete, store_path):
    outside = tmp_path / "someone-else"
    outside.mkdir()
    (outside / "theirs.fit").write_bytes(fit_run(T0 + timedelta(days=2), minutes=2))
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "run.fit").write_bytes(fit_run(T0, minutes=2))
    (mine / "theirs.fit").symlink_to(outside / "theirs.fit")
    (mine / "passwd.gpx").symlink_to("/etc/passwd")
    (mine / "sub" / "again.fit").symlink_to(mine / "run.fit")  # a link inside the folder is fine
    summary, acts = _import(store_path, athlete, mine)
    assert len(acts) == 1 and not summary.failed
    notes = {Path(w["file"]).name: w["warning"] for w in summary.warnings}
    assert "outside" in notes["theirs.fit"] and "not followed" in notes["passwd.gpx"]


# ---------------------------------------------------------------- 10. reasons in words
def test_failure_reasons_never_show_the_readers_internals(tmp_path, athlete, store_path):

    good = fit_run(T0, minutes=2)
    (tmp_path / "odd.fit").write_bytes(good[:good[0]] + b"\x0a" + good[good[0]:])  # local message 10, never defined
    summary, acts = _import(store_path, athlete, tmp_path / "odd.fit")
    (failed,) = summary.failed
    assert "local m" not in failed["reason"] and "uses a layout the file never defined" in failed["reason"]
    from runload.ingest.fit import _problem_words
    import fitdecode

    said = _problem_words(fitdecode.FitHeaderError("expected 4 bytes, got 0 @ 73103"), fitdecode)
    assert said == "the file ends early or is cut at byte 73,103"


def test_duplicate_zip_member_names_give_one_failure_line(tmp_path, athlete, store_path):
    import warnings
    import zipfile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate names it writes
        with zipfile.ZipFile(tmp_path / "dup.zip", "w") as z:
            for _ in range(50):
                z.writestr("run.fit", fit_run(T0, minutes=2))
            z.writestr("other.fit", fit_run(T0 + timedelta(days=1), minutes=2))
    summary, acts = _import(store_path, athlete, tmp_path / "dup.zip")
    assert len(acts) == 2
    assert [f["reason"] for f in summary.failed] == [
        "the archive holds 50 members with this name (a damaged or forged archive?): only the first is read"]
