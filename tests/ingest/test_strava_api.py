"""runload source add strava and runload sync against a stand-in of Strava's API on 127.0.0.1."""

from __future__ import annotations

import os
import stat
import threading
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import REAL
from runload.ingest import strava_api
from runload.store import Store
from strava_stand_in import StandIn, activity

pytestmark = pytest.mark.slow  # a TLS stand-in of Strava's API

T0 = datetime(2024, 3, 4, 6, 0, tzinfo=timezone.utc)
SECRET = "s3cret-client"


@pytest.fixture
def stand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with StandIn() as s:
        ca = tmp_path / "ca.pem"
        ca.write_bytes(s.ca_pem)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
        monkeypatch.setenv("RUNLOAD_STRAVA_SERVER", s.address)
        monkeypatch.setattr(strava_api, "BACKOFF_S", 0.01)
        yield s


def _add(cli, athlete: str) -> None:
    r = cli("source", "add", "--athlete", athlete, "strava", "--client-id", "1234", "--client-secret-stdin",
            "--refresh-token-stdin", input=f"{SECRET}\nrt-0\n")
    assert r.exit_code == 0, r.output


def _stored(store_path: Path, athlete: str = "ana"):
    with Store.open(store_path) as st:
        return st.activities(athlete)


def _runs(stand: StandIn, n: int, first_id: int = 1, start: datetime = T0) -> None:
    for i in range(n):
        stand.activities[first_id + i] = activity(first_id + i, start + timedelta(days=i))


def test_oauth_flow_keeps_tokens_owner_only_and_never_prints_them(cli, athlete, stand, store_path, monkeypatch):
    shown: list[str] = []
    result: dict[str, object] = {}

    def run() -> None:
        result["r"] = cli("source", "add", "--athlete", athlete, "strava", "--client-id", "1234",
                          "--client-secret-stdin", "--no-browser", input=f"{SECRET}\n")

    # the "browser": follow the URL runload announces (to the stand-in, which redirects to the callback)
    real_authorise = strava_api.authorise

    def authorise(*a, **k):
        announce = k["announce"]

        def tell(url: str) -> None:
            shown.append(url)
            announce(url)
            threading.Thread(target=lambda: urllib.request.urlopen(url, context=_ctx()).read(), daemon=True).start()
        k["announce"] = tell
        return real_authorise(*a, **k)

    def _ctx():
        import ssl
        return ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])

    monkeypatch.setattr(strava_api, "authorise", authorise)
    run()
    r = result["r"]
    assert r.exit_code == 0, r.output
    assert "redirect_uri=http%3A%2F%2F127.0.0.1" in shown[0] and "activity%3Aread_all" in shown[0]
    assert "POST /oauth/token" in stand.requests  # the code was exchanged
    secrets = strava_api.secrets_path(store_path)
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    text = secrets.read_text()
    assert SECRET in text and "rt-1" in text
    for out in (r.output, cli("source", "list", "--json").output):
        assert SECRET not in out and "rt-1" not in out and "at-1" not in out
    with open(store_path, "rb") as fh:
        assert SECRET.encode() not in fh.read()


def test_first_sync_across_pages_then_incremental(cli, athlete, stand, store_path, monkeypatch):
    monkeypatch.setattr(strava_api, "PER_PAGE", 20)  # pages as Strava's 200, ten times smaller
    _add(cli, athlete)
    _runs(stand, 25)
    r = cli("sync", "--json")
    assert r.exit_code == 0, r.output
    acts = _stored(store_path)
    assert len(acts) == 25
    a = acts[0]
    assert a.gear == "Pegasus 40" and a.rpe == 4 and a.avg_cadence_spm == 170 and a.hr_zone_s
    assert a.utc_offset_s == 3600 and a.sport.value == "running" and not a.warnings
    assert [lap.distance_m for lap in a.laps] == [5000, 5000] and a.laps[0].avg_cadence_spm == 170
    listed = [q for q in stand.requests if q == "GET /api/v3/athlete/activities"]
    assert len(listed) == 2  # 20 + 5
    assert SECRET not in r.output
    # incremental: nothing new fetched again; one new run fetched alone
    stand.requests.clear()
    stand.activities[999] = activity(999, T0 + timedelta(days=300))
    r = cli("sync", "-v")
    assert r.exit_code == 0, r.output
    assert "1 new" in r.output
    assert len(_stored(store_path)) == 26
    assert stand.requests.count("GET /api/v3/activities/999") == 1
    assert sum(1 for q in stand.requests if q.startswith("GET /api/v3/activities/")) == 2  # its detail and streams


def test_edit_and_delete_upstream(cli, athlete, stand, store_path):
    _add(cli, athlete)
    _runs(stand, 3)
    assert cli("sync").exit_code == 0
    stand.activities[2]["name"] = "Long run, renamed"
    stand.activities[2]["gear"] = {"id": "g2", "name": "Trail shoe"}
    stand.activities[2]["gear_id"] = "g2"
    del stand.activities[3]
    r = cli("sync", "-v")
    assert r.exit_code == 0, r.output
    assert "1 updated, 1 removed" in r.output
    acts = _stored(store_path)
    assert [a.name for a in acts] == ["Run", "Long run, renamed"]
    assert acts[1].gear == "Trail shoe"


def test_a_run_stored_from_its_fit_file_is_not_doubled(cli, athlete, stand, store_path):
    fit = REAL / "fit" / "20170518-191602-1740899583.fit"
    if not fit.exists():
        pytest.skip("no shared FIT file")
    assert cli("import", "--athlete", athlete, str(fit)).exit_code == 0
    [from_fit] = _stored(store_path)
    stand.activities[7] = activity(7, from_fit.start_utc, km=from_fit.distance_m / 1000,
                                   minutes=(from_fit.timer_s or 600) / 60)
    _add(cli, athlete)
    r = cli("sync", "-v")
    assert r.exit_code == 0, r.output
    assert "1 already stored from a file" in r.output
    [kept] = _stored(store_path)
    assert kept.source_hash == from_fit.source_hash  # the FIT file's richer copy stays


def test_rate_limit_stops_cleanly_and_resumes(cli, athlete, stand, store_path):
    _add(cli, athlete)
    _runs(stand, 20)
    stand.limit_15 = 15  # 1 listing + 2 per activity: 7 activities fit
    r = cli("sync")
    assert r.exit_code == 0, r.output
    assert "rate limit reached" in r.output and "resume after" in r.output
    first = len(_stored(store_path))
    assert 0 < first < 20
    assert stand.answered_429 == 0  # stopped by the headers, before the limit, not by a refusal
    stand.usage_15 = 0  # a new quarter of an hour
    stand.limit_15 = 600
    r = cli("sync")
    assert r.exit_code == 0, r.output
    assert len(_stored(store_path)) == 20
    assert stand.requests.count("GET /api/v3/activities/1") == 1  # what was stored is not fetched again


def test_server_errors_are_retried_a_bounded_number_of_times(cli, athlete, stand, store_path):
    _add(cli, athlete)
    _runs(stand, 2)
    stand.fail = [503, 502]
    r = cli("sync")
    assert r.exit_code == 0, r.output
    assert len(_stored(store_path)) == 2
    stand.activities[3] = activity(3, T0 + timedelta(days=5))
    stand.fail = [503] * 50
    r = cli("sync")
    assert r.exit_code == 1
    assert "Strava answered 503" in r.output or "could not reach Strava" in r.output
    assert len(stand.fail) >= 50 - strava_api.RETRIES - 1  # bounded: it gave up
    assert len(_stored(store_path)) == 2  # nothing stored was lost


def test_revoked_token_is_one_line_and_exit_2(cli, athlete, stand, store_path):
    _add(cli, athlete)
    _runs(stand, 2)
    assert cli("sync").exit_code == 0
    stand.revoked = True
    r = cli("sync")
    assert r.exit_code == 2
    assert f"re-authorise: runload source auth strava --athlete {athlete}" in r.output
    assert len(r.output.strip().splitlines()) == 1
    assert len(_stored(store_path)) == 2
    stand.revoked = False
    r = cli("source", "auth", "--athlete", athlete, "strava", "--client-id", "1234", "--client-secret-stdin",
            "--refresh-token-stdin", input=f"{SECRET}\nrt-9\n")
    assert r.exit_code == 0, r.output
    assert cli("sync").exit_code == 0


def test_expired_access_token_is_refreshed(cli, athlete, stand, store_path):
    _add(cli, athlete)
    _runs(stand, 1)
    assert cli("sync").exit_code == 0
    secrets = strava_api.secrets_path(store_path)
    creds = strava_api.load_all(secrets)
    creds[athlete].expires_at = 1
    strava_api.save(secrets, athlete, creds[athlete])
    before = stand.tokens_issued
    stand.activities[2] = activity(2, T0 + timedelta(days=2))
    assert cli("sync").exit_code == 0
    assert stand.tokens_issued == before + 1
    assert len(_stored(store_path)) == 2


def test_a_429_stops_the_sync_and_it_resumes(cli, athlete, stand, store_path):
    _add(cli, athlete)
    _runs(stand, 3)
    stand.force_429 = 1
    r = cli("sync")
    assert r.exit_code == 0, r.output
    assert "rate limit reached" in r.output
    assert not _stored(store_path)
    assert cli("sync").exit_code == 0
    assert len(_stored(store_path)) == 3


def test_refresh_refused_is_revoked(cli, athlete, stand, store_path):
    r = cli("source", "add", "--athlete", athlete, "strava", "--client-id", "1234", "--client-secret-stdin",
            "--refresh-token-stdin", input=f"{SECRET}\nnot-a-valid-token\n")
    assert r.exit_code == 0, r.output
    r = cli("sync")
    assert r.exit_code == 2
    assert "re-authorise: runload source auth strava" in r.output and "not-a-valid-token" not in r.output


def test_network_error_is_retried_then_one_failure(cli, athlete, stand, store_path, monkeypatch):
    _add(cli, athlete)
    _runs(stand, 1)
    assert cli("sync").exit_code == 0
    monkeypatch.setenv("RUNLOAD_STRAVA_SERVER", "127.0.0.1:9")  # nothing listens there
    creds = strava_api.load_all(strava_api.secrets_path(store_path))
    r = cli("sync")
    assert r.exit_code == 1
    assert "could not reach Strava" in r.output
    assert len(_stored(store_path)) == 1
    assert strava_api.load_all(strava_api.secrets_path(store_path)) == creds  # the tokens are kept


def test_limits_say_when_the_sync_can_resume():
    lim = strava_api.Limits()
    lim({"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "10,20",
         "X-ReadRateLimit-Limit": "100,1000", "X-ReadRateLimit-Usage": "100,120"})
    now = datetime(2024, 3, 4, 10, 7, 12, tzinfo=timezone.utc)
    with pytest.raises(strava_api.RateLimited) as e:
        lim.check(now)
    assert e.value.resume_utc == datetime(2024, 3, 4, 10, 15, tzinfo=timezone.utc)
    lim({"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "10,2000"})
    with pytest.raises(strava_api.RateLimited) as e:
        lim.check(now)
    assert e.value.which == "daily" and e.value.resume_utc == datetime(2024, 3, 5, tzinfo=timezone.utc)
    ok = strava_api.Limits()
    ok({"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "199,1999"})
    ok.check(now)


def test_streams_become_the_same_activity(stand):
    detail = activity(5, T0, km=12.0, kind="TrailRun", gear="Speedgoat", rpe=7)
    a = strava_api.to_activity(detail, {"time": {"data": [0, 10, 20]}, "heartrate": {"data": [150, 151, 151]}})
    assert a is not None and a.sport.value == "running" and a.sub_sport == "trail"
    assert a.distance_m == 12000 and a.gear == "Speedgoat" and a.rpe == 7 and a.utc_offset_s == 3600
    assert a.hr_zone_s == {150: 10.0, 151: 10.0}
    ride = strava_api.to_activity(activity(6, T0, kind="Ride", gear=None, rpe=None), {})
    assert ride is not None and ride.sport.value == "cycling" and ride.gear is None


def test_an_activity_typed_in_by_hand_has_no_streams_and_is_stored(cli, athlete, stand, store_path):
    _add(cli, athlete)
    stand.activities[1] = activity(1, T0, km=8.0, kind="Run", name="Treadmill, typed in")
    stand.activities[1]["manual"] = True
    stand.activities[2] = activity(2, T0 + timedelta(days=1))
    r = cli("sync", "-v")
    assert r.exit_code == 0, r.output
    acts = _stored(store_path)
    assert [a.name for a in acts] == ["Treadmill, typed in", "Run"]
    assert not acts[0].hr_zone_s and acts[1].hr_zone_s


def test_the_callback_answers_only_its_own_state(stand):
    import ssl
    import urllib.error
    from urllib.parse import parse_qs, urlparse

    ctx = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
    refused: list[int] = []

    def browser(url: str) -> None:
        redirect = parse_qs(urlparse(url).query)["redirect_uri"][0]

        def go() -> None:
            try:
                urllib.request.urlopen(f"{redirect}?state=forged&code=stolen").read()
            except urllib.error.HTTPError as e:
                refused.append(e.code)
            urllib.request.urlopen(url, context=ctx).read()
        threading.Thread(target=go, daemon=True).start()

    cred = strava_api.authorise("1234", SECRET, announce=browser, open_browser=False, timeout_s=30)
    assert refused == [400]
    assert cred.refresh_token.startswith("rt-") and "stolen" not in stand.codes
    assert SECRET not in repr(cred) and cred.refresh_token not in repr(cred)


def test_a_run_at_a_rides_speed_is_said_so_and_no_type_is_inferred(stand):
    streams = {"time": {"data": list(range(0, 3600, 10))}, "distance": {"data": [i * 80.0 for i in range(360)]}}
    fast = strava_api.to_activity(activity(8, T0, km=28.7, minutes=60), streams)
    assert fast is not None and fast.sport.value == "running"
    assert any(w.startswith("labelled running, but moves at") for w in fast.warnings)
    odd = strava_api.to_activity(activity(9, T0, km=28.7, minutes=60, kind=""), streams)
    assert odd is not None and odd.sport.value == "cycling" and odd.sport_inferred
