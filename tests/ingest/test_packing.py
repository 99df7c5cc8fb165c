"""Activities packed for the pipe between the import's workers and the storing process come back
the same: equal, of the same types, with the same values (floats to the bit, None and tuples as
they were), whatever their laps hold; laps the store's door keeps as they are come as the text
the store writes of them (their activity holds none), any other laps as they were."""

from __future__ import annotations

import pickle
from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone
from multiprocessing.reduction import ForkingPickler

from hypothesis import given, settings
from hypothesis import strategies as st

from runload.bounds import laps_pass
from runload.ingest.packing import new_lap, pack, unpack
from runload.ingest.pool import Parsed
from runload.models import Activity, Lap, Sport
from runload.store.rows import laps_from_json, laps_json

_ZONES = st.sampled_from([timezone.utc, timezone(timedelta(0)), timezone(timedelta(hours=2)), None])
_STARTS = st.one_of(st.none(), st.builds(lambda d, tz, fold: d.replace(tzinfo=tz, fold=fold),
                                         st.datetimes(), _ZONES, st.integers(0, 1)),
                    st.builds(lambda d: d.replace(tzinfo=timezone.utc), st.datetimes()))
_VALUES = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=True), st.integers(-10, 10**6))
_LAPS = st.builds(Lap, _STARTS, _VALUES, _VALUES, _VALUES, _VALUES, _VALUES, _VALUES)
_ACTIVITIES = st.builds(
    Activity, start_utc=st.datetimes(timezones=st.just(timezone.utc)), sport=st.sampled_from(Sport),
    distance_m=st.floats(0, 1e6), timer_s=st.none() | st.floats(0, 1e5),
    laps=st.lists(_LAPS, max_size=8).map(tuple) | st.lists(_LAPS.map(lambda lap: replace(lap)), max_size=3).map(tuple),
    hr_zone_s=st.dictionaries(st.integers(30, 220), st.floats(0, 1e4), max_size=5),
    warnings=st.lists(st.text(max_size=5), max_size=2).map(tuple), source_file=st.none() | st.text(max_size=8))


def _same(a: object, b: object) -> bool:
    return pickle.dumps(a) == pickle.dumps(b) and type(a) is type(b)


def _as_sent(got: list[Activity], texts: list[str | None], want: list[Activity]) -> list[Activity]:
    """``got`` with the laps that came as text put back from ``want``, once the text is checked:
    the store's text of laps that pass its door as they are, and their activity holding none."""
    assert len(got) == len(texts) == len(want)
    out = []
    for a, text, w in zip(got, texts, want, strict=True):
        if text is not None:
            assert a.laps == () and w.laps and laps_pass(w.laps) and text == laps_json(w.laps)
            assert len(laps_from_json(text)) == len(w.laps)
            a = replace(a, laps=w.laps)
        else:
            assert not (type(w) is Activity and type(w.laps) is tuple and w.laps and laps_pass(w.laps)
                        and all(type(lap) is Lap and len(vars(lap)) == 7 for lap in w.laps))
        out.append(a)
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(_ACTIVITIES, max_size=4))
def test_packed_activities_come_back_the_same(acts: list[Activity]) -> None:
    got, texts = unpack(pickle.loads(pickle.dumps(pack(acts))))
    back = _as_sent(got, texts, acts)
    assert back == acts
    assert _same(back, acts)  # the same types, values to the bit, tuples and None where they were
    for got, want in zip(back, acts):
        assert [type(lap) for lap in got.laps] == [type(lap) for lap in want.laps]
        for got_lap, want_lap in zip(got.laps, want.laps):
            assert _same(got_lap.start_utc, want_lap.start_utc)
            if isinstance(want_lap.start_utc, datetime) and want_lap.start_utc.tzinfo is timezone.utc:
                assert got_lap.start_utc.tzinfo is timezone.utc  # type: ignore[union-attr]


@settings(max_examples=25, deadline=None)
@given(st.lists(_ACTIVITIES, max_size=3), st.none() | st.text(max_size=4))
def test_a_workers_result_crosses_the_pipe_unchanged(acts: list[Activity], error: str | None) -> None:
    parsed = Parsed("d" * 64, acts, error, ("a note",))
    back = pickle.loads(ForkingPickler.dumps(parsed))
    assert back.activities is not None and parsed.activities is not None
    back.activities = _as_sent(back.activities, list(back.laps_texts()), parsed.activities)
    back.laps_json = ()
    assert back == parsed
    assert _same(back.activities, parsed.activities)


class MyLap(Lap):
    pass


def test_what_is_not_a_plain_activity_travels_as_it_is() -> None:
    start = datetime(2024, 5, 6, 7, tzinfo=timezone.utc)
    odd = Activity(start, Sport.RUNNING, 1000.0, laps=(MyLap(start, 1.0, 2.0),))
    extra = Lap(start, 1.0, 2.0)
    object.__setattr__(extra, "note", "an attribute that is not a field")
    listed = Activity(start, Sport.RUNNING, 1000.0, laps=[Lap(start, 1.0, 2.0)])  # type: ignore[arg-type]
    acts = [odd, Activity(start, Sport.RUNNING, 1.0, laps=(extra,)), listed]
    back, texts = unpack(pickle.loads(pickle.dumps(pack(acts))))
    assert texts == [None, None, None]
    assert _same(back, acts)
    assert type(back[0].laps[0]) is MyLap and back[1].laps[0].note == extra.note  # type: ignore[attr-defined]


def test_new_lap_is_lap() -> None:
    values = (datetime(2024, 5, 6, tzinfo=timezone.utc), 1000.0, 300.0, None, 150.0, 170.0, 3.3)
    assert [f.name for f in fields(Lap)] == list(new_lap.__code__.co_varnames[:len(values)])
    assert new_lap(*values) == Lap(*values)
    assert pickle.dumps(new_lap(*values)) == pickle.dumps(Lap(*values))


def test_laps_a_watch_records_come_as_the_stores_text() -> None:
    start = datetime(2024, 5, 6, 7, 0, 0, 123456, tzinfo=timezone.utc)
    laps = tuple(Lap(start + timedelta(minutes=5 * i), 1000.0, 300.5, 150.0, 171, 172.0, 3.3) for i in range(3))
    act = Activity(start, Sport.RUNNING, 3000.0, laps=laps)
    damaged = replace(act, laps=(*laps, Lap(start, float("nan"), 1.0)))
    (got, got_damaged), texts = unpack(pickle.loads(pickle.dumps(pack([act, damaged]))))
    assert texts == [laps_json(laps), None] and got == replace(act, laps=()) and _same(got_damaged, damaged)
    assert laps_from_json(texts[0] or "") == tuple(replace(lap, start_utc=lap.start_utc.replace(microsecond=123000))
                                                   for lap in laps)  # as the store keeps them: milliseconds
