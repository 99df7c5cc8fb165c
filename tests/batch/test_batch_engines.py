"""runload batch gives what runload import + runload roster give on a store, on every engine.

The sample athletes and a few made-up ones (the same run twice, a gzip copy, a truncated copy, a
broken file, an empty one) are imported into a store with ``runload import`` and into a dataset
with ``runload batch import``; the roster (rows and order), every finding and every activity are
then compared for the serial, process-pool and Dask (LocalCluster on 127.0.0.1, 2 workers)
engines. New files then recompute only their bucket, and the results agree again. Last, a
property test of the one deduplication decision both imports share.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest import SAMPLES, TODAY

pytest.importorskip("pyarrow", reason="runload[dask] is not installed")

from runload.cli import main  # noqa: E402

WEEK = "2026-W42"
PEOPLE = {  # id: (name, time zone)
    "maya": ("Maya Lindqvist", "Europe/Stockholm"),
    "ben": ("Ben Okafor", "America/Denver"),
    "cleo": ("Cleo Dup", "Europe/Stockholm"),
    "dev": ("Dev Gpx", "Asia/Kolkata"),
}
T0 = datetime(2026, 9, 1, 6, 30, tzinfo=timezone.utc)

pytestmark = [pytest.mark.slow,  # every engine, dask among them, on the sample athletes
              pytest.mark.skipif(not (SAMPLES / "maya").is_dir(), reason="sample activities not generated")]


def _gpx(start: datetime, minutes: int, lat0: float, step: float = 2.7e-5) -> bytes:
    pts = "".join(
        f'<trkpt lat="{lat0 + i * step:.7f}" lon="18.0"><time>{start + timedelta(seconds=i * 5):%Y-%m-%dT%H:%M:%SZ}'
        "</time></trkpt>" for i in range(minutes * 12))
    return (f'<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type>'
            f"<trkseg>{pts}</trkseg></trk></gpx>").encode()


def _sources(root: Path) -> Path:
    """SRC/<athlete id>/...: the sample athletes, and two made-up ones."""
    src = root / "src"
    shutil.copytree(SAMPLES / "maya" / "activities", src / "maya" / "activities")
    shutil.copytree(SAMPLES / "ben" / "strava_export", src / "ben" / "strava_export")
    cleo = src / "cleo"
    cleo.mkdir()
    fits = sorted((SAMPLES / "maya" / "activities").glob("*.fit"))[-30:]
    for f in fits:
        shutil.copy(f, cleo / f.name)
    (cleo / "copy.fit.gz").write_bytes(gzip.compress(fits[-1].read_bytes()))  # the same bytes, gzipped
    data = fits[-2].read_bytes()
    (cleo / "truncated.fit").write_bytes(data[: len(data) * 2 // 3])  # the same run, cut short
    (cleo / "broken.fit").write_bytes(b".FIT" + bytes(random.Random(5).randrange(256) for _ in range(300)))
    (cleo / "empty.gpx").write_bytes(b"")
    dev = src / "dev"
    dev.mkdir()
    for i in range(10):  # every run recorded twice: a phone's log starting 20 s after the watch's
        day = T0 + timedelta(days=4 * i)
        (dev / f"{i:02d}-watch.gpx").write_bytes(_gpx(day, 30, 12.9))
        (dev / f"{i:02d}-phone.gpx").write_bytes(_gpx(day + timedelta(seconds=20), 29, 12.9 + 1e-5))
    return src


class _Cli:
    def __init__(self, store: Path) -> None:
        self.runner = CliRunner()
        home = store.parent
        self.env = {"RUNLOAD_STORE": str(store), "RUNLOAD_TODAY": TODAY, "RUNLOAD_CONFIG": None,
                    "RUNLOAD_RULES": None, "XDG_CONFIG_HOME": str(home / "xdg-config"),
                    "XDG_DATA_HOME": str(home / "xdg-data")}

    def __call__(self, *args: str, code: int | None = 0) -> str:
        r = self.runner.invoke(main, list(args), env=self.env, catch_exceptions=False)
        if code is not None:
            assert r.exit_code == code, r.output
        return r.output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A reference store filled by ``runload import`` and ``runload pain import``."""
    root = tmp_path_factory.mktemp("batch")
    src = _sources(root)
    cli = _Cli(root / "store.sqlite")
    for who, (name, tz) in PEOPLE.items():
        cli("athlete", "add", who, "--name", name, "--timezone", tz)
    cli("coach", "add", "kim", "--email", "kim@example.org", "--athlete", "maya", "--athlete", "cleo")
    for who in ("maya", "ben"):
        cli("pain", "import", "--athlete", who, str(SAMPLES / who / "pain.csv"))
    summaries = {}
    for who in PEOPLE:
        code = 1 if who == "cleo" else 0  # its broken and empty files fail
        summaries[who] = json.loads(cli("import", "--athlete", who, str(src / who), "--json", code=code))
    assert summaries["cleo"]["duplicates"] and summaries["dev"]["duplicates"]
    assert len(summaries["cleo"]["failed"]) == 2
    return {"root": root, "src": src, "cli": cli, "summaries": summaries}


def _store_side(world: dict) -> dict:
    from runload.session import Assessor
    from runload.batch.tasks import to_json
    from runload.calendar import parse_week
    from runload.report.build import judged_day
    from runload.store import Store

    cli = world["cli"]
    roster = json.loads(cli("roster", "--week", WEEK, "--format", "json"))
    today = date.fromisoformat(TODAY)
    period = parse_week(WEEK, today)
    with Store.open(world["root"] / "store.sqlite", create=False) as st:
        judge = Assessor(st)
        findings = {a: [to_json(f) for f in judge.get(a, judged_day(period, today)).findings] for a in PEOPLE}
        acts = {a: [replace(x, id=None, import_id=None) for x in st.activities(a)] for a in PEOPLE}
    return {"roster": roster, "findings": findings, "activities": acts}


def _batch_side(ds_path: Path) -> dict:
    from runload.batch import jobs
    from runload.batch.layout import Dataset
    from runload.calendar import parse_week

    ds = Dataset.open(str(ds_path))
    period = parse_week(WEEK, date.fromisoformat(TODAY))
    findings: dict[str, list[str]] = {a: [] for a in PEOPLE}
    for r in jobs.findings(ds, period):
        findings[r["athlete_id"]].append(r["finding"])
    return {"findings": findings, "activities": jobs.activities(ds)}


def _same(world: dict, cli: _Cli, ds: Path) -> None:
    want = _store_side(world)
    got = json.loads(cli("batch", "roster", str(ds), "--week", WEEK, "--format", "json"))
    assert got == want["roster"]  # every row, in the same order
    assert [r["id"] for r in got["athletes"]] and len(got["athletes"]) == len(PEOPLE)
    side = _batch_side(ds)
    assert side["findings"] == want["findings"]
    assert any(side["findings"].values())
    assert side["activities"] == want["activities"]


ENGINES = {
    "serial": ["--engine", "local", "--workers", "1"],
    "process": ["--engine", "local", "--workers", "2"],
}


@pytest.fixture(scope="module")
def dask_cluster():
    """One LocalCluster of 2 worker processes on 127.0.0.1 for every command of the Dask run
    (each command connects with --scheduler, as it would to a real cluster)."""
    distributed = pytest.importorskip("distributed", reason="runload[dask] is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("engine", [*ENGINES, "dask"])
def test_batch_equals_import_and_roster_on_a_store(world: dict, engine: str, tmp_path: Path,
                                                   request: pytest.FixtureRequest) -> None:
    if engine == "dask":
        opts = ["--engine", "dask", "--scheduler", request.getfixturevalue("dask_cluster")]
    else:
        opts = ENGINES[engine]
    cli = world["cli"]
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds), "--buckets", "8")
    cli("batch", "athletes", str(ds), "--from-store", str(world["root"] / "store.sqlite"))
    out = json.loads(cli("batch", "import", str(ds), str(world["src"]), "--json", *opts, code=1))
    # the same summary as runload import, athlete by athlete (by id)
    want = {k: [] for k in ("duplicates", "failed", "warnings")}
    for who in sorted(PEOPLE):
        for k in want:
            want[k] += world["summaries"][who][k]
    assert out["imported"] == sum(s["imported"] for s in world["summaries"].values())
    assert out["activities"] == sum(s["activities"] for s in world["summaries"].values())
    assert {k: out[k] for k in want} == want
    again = json.loads(cli("batch", "import", str(ds), str(world["src"]), "--json", *opts, code=1))
    # (Ben's Strava activities.csv, every row of it with its file, is skipped both times)
    assert again["imported"] == 0 and again["skipped"] == out["imported"] + len(out["duplicates"]) + out["skipped"]
    done = json.loads(cli("batch", "compute", str(ds), "--week", WEEK, "--json", *opts))
    assert done["buckets_computed"] == 8 and done["athletes"] == len(PEOPLE) and done["errors"] == 0
    _same(world, cli, ds)
    coach = json.loads(cli("batch", "roster", str(ds), "--week", WEEK, "--coach", "kim", "--format", "json"))
    assert [r["id"] for r in coach["athletes"]] == [r["id"] for r in json.loads(
        cli("roster", "--week", WEEK, "--athlete", "maya", "--athlete", "cleo", "--format", "json"))["athletes"]]
    # nothing changed: nothing recomputes
    idle = json.loads(cli("batch", "compute", str(ds), "--week", WEEK, "--dirty", "--json", *opts))
    assert idle["buckets_computed"] == 0 and idle["buckets_unchanged"] == 8


def test_new_files_recompute_only_their_bucket(world: dict, tmp_path: Path) -> None:
    from runload.batch.layout import bucket_of

    cli = world["cli"]
    ds = tmp_path / "ds"
    opts = ENGINES["serial"]
    cli("batch", "init", str(ds), "--buckets", "8")
    cli("batch", "athletes", str(ds), "--from-store", str(world["root"] / "store.sqlite"))
    cli("batch", "import", str(ds), str(world["src"]), *opts, code=1)
    cli("batch", "compute", str(ds), "--week", WEEK, *opts)
    # dev runs twice more in the week judged (one run logged twice again); the store gets them too
    new = world["src"] / "dev" / "later"  # in the sources, so later tests see the same files on both sides
    new.mkdir()
    day = datetime(2026, 10, 14, 1, 0, tzinfo=timezone.utc)
    (new / "w1.gpx").write_bytes(_gpx(day, 40, 12.9))
    (new / "w1-copy.gpx").write_bytes(_gpx(day + timedelta(seconds=30), 39, 12.9 + 1e-5))
    (new / "w2.gpx").write_bytes(_gpx(day + timedelta(days=2), 50, 12.9, step=4e-5))
    mine = json.loads(cli("batch", "import", str(ds), str(world["src"]), "--json", *opts, code=1))
    theirs = json.loads(cli("import", "--athlete", "dev", str(world["src"] / "dev"), "--json"))
    assert theirs["imported"] == 2 and len(theirs["duplicates"]) == 1
    assert {k: mine[k] for k in ("imported", "activities", "duplicates")} == {
        k: theirs[k] for k in ("imported", "activities", "duplicates")}
    assert [f["file"] for f in mine["failed"]] == [f["file"] for f in world["summaries"]["cleo"]["failed"]]
    done = json.loads(cli("batch", "compute", str(ds), "--week", WEEK, "--dirty", "--json", *opts))
    assert done["computed"] == [bucket_of("dev", 8)] and done["athletes"] == 1
    _same(world, cli, ds)


def test_export_then_pull_moves_athletes_without_importing_twice(world: dict, tmp_path: Path) -> None:
    from runload.store import Store

    cli = world["cli"]
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds), "--buckets", "3")
    cli("batch", "export", "--store", str(world["root"] / "store.sqlite"), str(ds))
    # everything the store imported is known to the dataset: nothing is read again
    again = json.loads(cli("batch", "import", str(ds), str(world["src"]), "--json", "--workers", "1", code=1))
    assert again["imported"] == 0 and again["activities"] == 0
    cli("batch", "compute", str(ds), "--week", WEEK, "--workers", "1")
    # (the store may have files since added: compare only what both hold)
    pulled = tmp_path / "pulled.sqlite"
    cli("batch", "pull", str(ds), "--athlete", "maya", "--athlete", "dev", "--store", str(pulled))
    cli("batch", "pull", str(ds), "--athlete", "maya", "--athlete", "dev", "--store", str(pulled))  # twice: no copies
    with Store.open(world["root"] / "store.sqlite", create=False) as a, Store.open(pulled, create=False) as b:
        for who in ("maya", "dev"):
            assert [replace(x, id=None, import_id=None) for x in b.activities(who)] == [replace(x, id=None, import_id=None) for x in a.activities(who)]
            assert [replace(e, id=None) for e in b.pain_entries(who)] == [replace(e, id=None) for e in a.pain_entries(who)]
            assert b.known_files(who) == a.known_files(who)
        assert b.coaches()[0][3] == ["maya"]
    # a pulled athlete's files are known to the store: importing them again reads nothing
    cli2 = _Cli(pulled)
    redo = json.loads(cli2("import", "--athlete", "maya", str(world["src"] / "maya"), "--json"))
    assert redo["imported"] == 0 and redo["activities"] == 0


def test_export_and_athletes_add_what_is_missing_and_remove_nothing(world: dict, tmp_path: Path) -> None:
    from runload.store import Store

    cli = world["cli"]
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds), "--buckets", "3")
    cli("batch", "athletes", str(ds), "--from-store", str(world["root"] / "store.sqlite"))
    cli("batch", "import", str(ds), str(world["src"]), "--workers", "1", code=1)
    before = json.loads(cli("batch", "status", str(ds), "--json"))["rows"]
    # a store holding the athletes only (no activities): exporting it takes nothing away
    bare = tmp_path / "bare.sqlite"
    with Store.open(world["root"] / "store.sqlite", create=False) as full, Store.open(bare) as b:
        for a in full.list_athletes():
            b.add_athlete(a)
        b.add_pain_entries("maya", full.pain_entries("maya"))
    cli("batch", "athletes", str(ds), "--from-store", str(world["root"] / "store.sqlite"))  # again: no copies
    cli("batch", "export", "--store", str(bare), str(ds))
    assert json.loads(cli("batch", "status", str(ds), "--json"))["rows"] == before
    assert before["pain"] > 0 and before["activities"] > 0


def test_a_dataset_at_an_fsspec_url(world: dict) -> None:
    pytest.importorskip("fsspec")
    cli = world["cli"]
    url = "memory://runload-test/ds"  # fsspec's in-memory file system: any other URL works alike
    cli("batch", "init", url, "--buckets", "3")
    cli("batch", "athletes", url, "--from-store", str(world["root"] / "store.sqlite"))
    cli("batch", "import", url, str(world["src"]), "--workers", "1", code=1)
    cli("batch", "compute", url, "--week", WEEK, "--workers", "1")
    got = json.loads(cli("batch", "roster", url, "--week", WEEK, "--format", "json"))
    assert got == json.loads(cli("roster", "--week", WEEK, "--format", "json"))
    import fsspec

    fs = fsspec.filesystem("memory")
    assert not [p for p in fs.find("/runload-test") if "/.tmp-" in p]  # every temporary name renamed
    fs.rm("/runload-test", recursive=True)


def test_roster_csv_and_status(world: dict, tmp_path: Path) -> None:
    cli = world["cli"]
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds), "--buckets", "2")
    cli("batch", "athletes", str(ds), "--from-store", str(world["root"] / "store.sqlite"))
    cli("batch", "import", str(ds), str(world["src"]), "--workers", "1", code=1)
    out = cli("batch", "roster", str(ds), "--week", WEEK, "--format", "csv", code=2)
    assert "is not computed" in out
    cli("batch", "compute", str(ds), "--week", WEEK, "--workers", "1")
    csv_text = cli("batch", "roster", str(ds), "--week", WEEK, "--format", "csv")
    head, *lines = csv_text.splitlines()
    assert head.startswith("id,name,level,") and len(lines) == len(PEOPLE)
    status = json.loads(cli("batch", "status", str(ds), "--json"))
    assert status["rows"]["athletes"] == len(PEOPLE)
    assert status["weeks"] == [{"week_start": "2026-10-12", "buckets_computed": 2}]


def test_athletes_from_csv_checks_every_row(tmp_path: Path) -> None:
    cli = _Cli(tmp_path / "unused.sqlite")
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds), "--buckets", "4")
    good = tmp_path / "a.csv"
    good.write_text("id,name,timezone,coach,coach_email\nzoe,Zoe A,Europe/Oslo,kim,kim@example.org\nyan,Yan B,,,\n")
    assert "2 athletes" in cli("batch", "athletes", str(ds), "--csv", str(good))
    bad = tmp_path / "b.csv"
    bad.write_text("id,name,timezone\nok,Fine,UTC\nx,Bad,Mars/Olympus\n")
    out = cli("batch", "athletes", str(ds), "--csv", str(bad), code=2)
    assert "line 3" in out and "Mars/Olympus" in out and "b.csv" in out
    from runload.batch.jobs import known_athletes
    from runload.batch.layout import Dataset

    assert sorted(known_athletes(Dataset.open(str(ds)))) == ["yan", "zoe"]  # the bad file added nobody


def test_a_dataset_of_another_layout_version_is_refused(tmp_path: Path) -> None:
    cli = _Cli(tmp_path / "unused.sqlite")
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds))
    meta = json.loads((ds / "dataset.json").read_text())
    (ds / "dataset.json").write_text(json.dumps({**meta, "version": 99}))
    assert "layout version 99" in cli("batch", "status", str(ds), code=2)
    assert "no runload dataset" in cli("batch", "status", str(tmp_path / "nothing"), code=2)


def test_unchanged_files_are_not_read_again(world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runload.ingest.pool

    cli = world["cli"]
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds), "--buckets", "4")
    cli("batch", "athletes", str(ds), "--from-store", str(world["root"] / "store.sqlite"))
    cli("batch", "import", str(ds), str(world["src"]), "--workers", "1", code=1)
    read: list[str] = []
    real = runload.ingest.pool.read_disk_file

    def spy(path, name=None):
        read.append(Path(path).name)
        return real(path, name)

    monkeypatch.setattr(runload.ingest.pool, "read_disk_file", spy)
    cli("batch", "import", str(ds), str(world["src"]), "--workers", "1", code=1)
    assert sorted(read) == ["broken.fit", "empty.gpx"]  # only the files that failed are tried again


def test_an_athlete_whose_assessment_fails_is_reported_and_the_rest_go_on(
        world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runload.session

    cli = world["cli"]
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds), "--buckets", "2")
    cli("batch", "athletes", str(ds), "--from-store", str(world["root"] / "store.sqlite"))
    cli("batch", "import", str(ds), str(world["src"]), "--workers", "1", code=1)
    want = [x["id"] for x in json.loads(cli("roster", "--week", WEEK, "--format", "json"))["athletes"]]
    real = runload.session.assess

    def fragile(data, book, as_of=None):
        if data.athlete.id == "ben":
            raise ValueError("made-up failure")
        return real(data, book, as_of)

    monkeypatch.setattr(runload.session, "assess", fragile)
    out = json.loads(cli("batch", "compute", str(ds), "--week", WEEK, "--workers", "1", "--json", code=1))
    assert out["errors"] == 1 and out["athletes"] == len(PEOPLE)
    r = CliRunner().invoke(main, ["batch", "roster", str(ds), "--week", WEEK, "--format", "json"], env=cli.env)
    assert r.exit_code == 0
    assert [a["id"] for a in json.loads(r.stdout)["athletes"]] == [a for a in want if a != "ben"]
    assert "not assessed: ben: ValueError: made-up failure" in r.stderr


def test_a_damaged_table_is_an_error_naming_it(world: dict, tmp_path: Path) -> None:
    from runload.batch.layout import bucket_of

    cli = world["cli"]
    ds = tmp_path / "ds"
    cli("batch", "init", str(ds), "--buckets", "2")
    cli("batch", "athletes", str(ds), "--from-store", str(world["root"] / "store.sqlite"))
    part = ds / "athletes" / f"bucket={bucket_of('maya', 2)}" / "part.parquet"
    part.write_bytes(part.read_bytes()[:40])
    out = cli("batch", "compute", str(ds), "--week", WEEK, "--workers", "1", code=2)
    assert "not a readable Parquet table" in out and "part.parquet" in out


def test_buckets_are_stable() -> None:
    from runload.batch.layout import bucket_of

    # sha256("maya") starts 9f6f...: the bucket never depends on the machine or the run
    import hashlib

    assert bucket_of("maya", 64) == int(hashlib.sha256(b"maya").hexdigest()[:16], 16) % 64
    assert {bucket_of(f"a{i}", 8) for i in range(200)} == set(range(8))


# ---------------------------------------------------------------- the shared deduplication
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_RUN = st.tuples(
    st.integers(0, 240),  # start, minutes after T0
    st.integers(0, 59),  # seconds
    st.integers(2, 150),  # minutes long
    st.sampled_from(["summary", "laps", "records", "track"]),
    st.booleans(),  # heart rate
    st.integers(0, 2),  # laps
    st.booleans(),  # cadence
)


def _activity(i: int, spec: tuple) -> object:
    from runload.models import Activity, Lap, Sport

    minute, second, minutes, source, hr, laps, cadence = spec
    start = T0 + timedelta(minutes=minute, seconds=second)
    seconds = minutes * 60.0
    return Activity(start_utc=start, sport=Sport.RUNNING, distance_m=seconds * 3.0, timer_s=seconds,
                    elapsed_s=seconds, distance_source=source, avg_hr_bpm=140.0 if hr else None,
                    avg_cadence_spm=170.0 if cadence else None,
                    laps=tuple(Lap(start, 1000.0, 300.0) for _ in range(laps)),
                    source_hash=f"h{i:03d}", source_file=f"f{i:03d}.fit", utc_offset_s=0)


def _reference(acts: list) -> list:
    """The import's rule, told over a plain list: each file decided against what is kept."""
    from runload.ingest.dedupe import decide

    kept: list = []
    for a in acts:
        v = decide(a, kept)
        if v.keep:
            kept = [o for o in kept if all(o is not t for t in v.twins)] + [a]
    return kept


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_RUN, min_size=1, max_size=12))
def test_the_store_and_a_list_deduplicate_alike(specs: list) -> None:
    from runload.ingest import ImportSummary
    from runload.ingest.writer import Writer
    from runload.ingest.dedupe import overlaps, richness
    from runload.models import Athlete
    from runload.store import Store

    acts = [_activity(i, s) for i, s in enumerate(specs)]
    with Store.open(":memory:") as store:
        store.add_athlete(Athlete("a", "A"))
        writer = Writer(store, "a", ZoneInfo("UTC"), ImportSummary(), {}, {})
        for a in acts:
            writer.begin()
            with store.atomic():
                writer._store_file(a.source_file, a.source_hash, [(a, None)])  # (no laps sent as text)
        writer.commit()
        stored = sorted(x.source_hash for x in store.activities("a"))
    kept = _reference(acts)
    assert stored == sorted(a.source_hash for a in kept)
    # what is kept holds each run once ...
    for i, x in enumerate(kept):
        assert not any(overlaps(x, y) for y in kept[i + 1:])
    # ... and every copy left out met a copy at least as rich when it was decided
    for a in acts:
        if a not in kept:
            assert any(overlaps(a, b) and richness(b) >= richness(a) for b in acts if b is not a)


def test_dask_starts_its_own_local_cluster(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="runload[dask] is not installed")
    from runload.batch.engines import make_engine

    eng = make_engine("dask", workers=1)
    try:
        assert eng.map(_add, [1, 2, 3], 10) == [11, 12, 13]  # in the units' order, shared sent once
    finally:
        eng.close()


def _add(shared: int, unit: int) -> int:
    return shared + unit


def test_the_deduplication_rule_on_hand_worked_cases() -> None:
    from runload.ingest.dedupe import decide, overlaps

    def recording(i: int, start_min: float, minutes: float, source: str = "track", hr: bool = False, laps: int = 0):
        return replace(_activity(i, (0, 0, 1, source, hr, laps, False)), start_utc=T0 + timedelta(minutes=start_min),
                       timer_s=minutes * 60, elapsed_s=minutes * 60)

    watch = recording(1, 0, 60, "summary", hr=True, laps=3)
    phone = recording(2, 20 / 60, 59.5)  # 20 s later, a track only
    assert decide(phone, [watch]).keep is False and decide(phone, [watch]).best is watch
    assert decide(watch, [phone]).keep is True and decide(watch, [phone]).twins == (phone,)
    twin = recording(3, 0.5, 60, "summary", hr=True, laps=3)  # just as rich: the first copy stays
    assert decide(twin, [watch]).keep is False
    # 07:00-07:10 and 07:06-07:30 share 4 of the shorter one's 10 minutes (< half): two runs;
    # 07:04-07:30 shares 6 (>= half): one run
    short = recording(4, 0, 10)
    assert not overlaps(short, recording(5, 6, 24)) and overlaps(short, recording(6, 4, 26))
    assert decide(recording(7, 6, 24), [short]).twins == ()
    # copies from the same file (the same content hash) are never twins
    same_file = recording(4, 0.2, 10)
    assert decide(same_file, [short]).twins == ()
