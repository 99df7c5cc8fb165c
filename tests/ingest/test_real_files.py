"""Every real watch file in ../shared/real_activities against the truth in its MANIFEST.tsv."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from conftest import REAL, needs_real
from runload.errors import IngestError
from runload.ingest import parse_source
from runload.ingest.archives import gunzip
from runload.ingest.sniff import activity_kind
from runload.models import Sport
from runload.store import Store

pytestmark = pytest.mark.slow  # every real watch file

MANIFEST = REAL / "MANIFEST.tsv"
ROWS = list(csv.DictReader(MANIFEST.open(encoding="utf-8"), delimiter="\t")) if MANIFEST.is_file() else []

# What each truth_sport allows runload to call the activity (None: any sport, legs checked below).
ALLOWED = {
    "running": {Sport.RUNNING}, "cycling": {Sport.CYCLING}, "cycling (indoor)": {Sport.CYCLING},
    "swimming (apnea)": {Sport.SWIMMING}, "rowing (indoor)": {Sport.ROWING},
    "hiking/walking": {Sport.HIKING, Sport.WALKING}, "snorkeling": {Sport.SWIMMING, Sport.OTHER},
    "driving": {Sport.DRIVING}, "unknown (not a run)": set(Sport) - {Sport.RUNNING},
    "unknown": None, "multisport": None, "triathlon": None,
}
# Files that hold more than one activity although one sport is true of all of them: MapSource's
# three tracks are three days of walking, each its own activity.
ACTIVITIES = {"multitrackgpx.gpx": 3}
# The reason a rejected file must give.
REJECT_REASON = {"cerknicko-without-times.gpx": "no timestamps", "antfs-dump.63.fit": "no absolute clock",
                 "malformed.tcx": "not well-formed XML"}


def _parse(path: Path):
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gunzip(data, str(path))
    return parse_source(activity_kind(path.name), data, str(path))


@needs_real
@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_real_file_matches_manifest(row: dict[str, str]) -> None:
    path = REAL / row["file"]
    expected = row["expected"]
    try:
        acts = _parse(path)
    except IngestError as err:
        assert expected == "rejected-or-flagged", f"rejected: {err.message}"
        assert REJECT_REASON[path.name] in err.message
        return
    assert expected != "rejected-or-flagged" or any(a.warnings for a in acts), "should be rejected or flagged"
    assert path.name not in REJECT_REASON, "must be rejected"
    if expected == "imported-with-warning":
        assert any(a.warnings for a in acts), "a warning says what is odd about this file"
    allowed = ALLOWED[row["truth_sport"]]
    if allowed is not None:
        assert len(acts) == ACTIVITIES.get(path.name, 1)
        assert all(a.sport in allowed for a in acts), [a.sport for a in acts]
    running_km = sum(a.distance_m for a in acts if a.is_run) / 1000
    counts = row["counts_as_running"]
    if counts == "yes":
        assert all(a.is_run for a in acts)
    elif counts == "no":
        assert not any(a.is_run for a in acts)
    elif counts == "partly":
        assert any(a.is_run for a in acts) and not all(a.is_run for a in acts)
    if row["running_km"]:
        truth = float(row["running_km"])
        assert running_km == pytest.approx(truth, abs=max(0.02, 0.015 * truth))
    if row["start_utc"]:
        truth_start = datetime.fromisoformat(row["start_utc"].replace("Z", "+00:00"))
        assert abs((acts[0].start_utc - truth_start).total_seconds()) < 1.0


@needs_real
def test_import_whole_real_folder_counts_each_run_once(cli, athlete: str, store_path: Path) -> None:
    r = cli("import", "--athlete", athlete, str(REAL), "--json")
    assert r.exit_code == 1, r.output  # two files cannot be imported
    out = json.loads(r.output)
    failed = sorted(Path(f["file"]).name for f in out["failed"])
    assert failed == ["antfs-dump.63.fit", "cerknicko-without-times.gpx", "malformed.tcx"]
    dupes = sorted(Path(d["file"]).name for d in out["duplicates"])
    # the gzip copies and the truncated copy are stored once (which copy is kept is the richer one)
    assert len(dupes) == 3
    with Store.open(store_path) as store:
        acts = store.activities(athlete)
    by_start: dict[str, list[str]] = {}
    for a in acts:
        by_start.setdefault(f"{a.start_utc:%Y-%m-%dT%H:%M}:{a.leg_index}", []).append(a.source_file or "")
    assert all(len(v) == 1 for v in by_start.values()), by_start
    fenix = [a for a in acts if a.start_utc.isoformat().startswith("2015-08-15T14:45")]
    assert len(fenix) == 1 and fenix[0].distance_source == "summary"  # the full file, not the truncated one
    truth_km = sum(float(r["running_km"]) for r in ROWS
                   if r["running_km"] and r["counts_as_running"] in ("yes", "partly") and not r["file"].startswith("other/"))
    got_km = sum(a.distance_m for a in acts if a.is_run and "Friday-Evening" not in (a.source_file or "")) / 1000
    assert got_km == pytest.approx(truth_km, abs=0.1)

    again = cli("import", "--athlete", athlete, str(REAL), "--json")
    out2 = json.loads(again.output)
    assert out2["imported"] == 0 and out2["activities"] == 0 and out2["duplicates"] == []
    assert out2["skipped"] == out["imported"] + len(out["duplicates"])
    with Store.open(store_path) as store:
        assert [(a.id, a.distance_m) for a in store.activities(athlete)] == [(a.id, a.distance_m) for a in acts]


@needs_real
@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_real_file_values_are_finite_and_times_consistent(row: dict[str, str]) -> None:
    import math

    try:
        acts = _parse(REAL / row["file"])
    except IngestError:
        return
    for a in acts:
        numbers = [a.distance_m, a.timer_s, a.elapsed_s, a.elevation_gain_m, a.avg_hr_bpm, a.max_hr_bpm,
                   a.avg_cadence_spm, *a.hr_zone_s.values()]
        assert all(v is None or math.isfinite(v) for v in numbers), numbers
        assert a.distance_m >= 0 and a.elapsed_s is not None and a.elapsed_s >= 0
        assert a.timer_s is None or a.timer_s <= a.elapsed_s + 1, (a.timer_s, a.elapsed_s)
        assert 1989 <= a.start_utc.year <= 2030
        assert a.utc_offset_s is None or abs(a.utc_offset_s) <= 14 * 3600
        for lap in a.laps:
            assert all(v is None or math.isfinite(v) for v in (lap.distance_m, lap.timer_s, lap.avg_hr_bpm))
