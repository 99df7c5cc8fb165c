"""A source that syncs itself: an athlete's activities pulled from Strava's v3 API.

The runner's own API application (client id and secret from their Strava settings) authorises
runload once through OAuth 2's authorisation-code flow (:func:`authorise`: a callback on
127.0.0.1); the refresh token is kept and the short-lived access token refreshed when it expires.
stravalib does the OAuth and the HTTP (its protocol layer: errors, bearer header, token refresh);
runload reads the documented JSON shapes itself, which keeps a sync of thousands of activities
cheap.

Secrets live in a file beside the store, readable by its owner only (mode 0600): never in the
store (which is copied, exported and backed up), never printed. The file also holds the sync's
cursor (the start of the newest activity stored).

A sync (:func:`sync_strava`) lists the activities since the cursor, less :data:`RECHECK_DAYS`
(so an activity edited or deleted on Strava in those days is updated or removed), page by page,
oldest first; each new or changed one is fetched (its detail: gear, perceived exertion; and its
streams) and stored through :class:`runload.ingest.importer.RecordImport`, the same door as a file, each
committed as it lands. Strava's rate limits (per 15 minutes and per day, in every response's
headers) stop the sync before they are exceeded: :class:`RateLimited` says when it can resume,
and the next sync resumes where this one stopped (what was stored is known). Network errors and
5xx answers are retried with backoff a bounded number of times; a revoked authorisation is
:class:`Revoked`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets as _secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlparse

import numpy as np

from runload.bounds import MAX_LAPS, MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS, clean_text
from runload.errors import InputError
from runload.ingest.common import hr_bins_array, motion, settle_sport, sport_from_name
from runload.ingest.importer import RecordImport
from runload.ingest.stravacsv import STRAVA_SUB
from runload.models import Activity, Lap, Sport

SOURCE_PREFIX = "strava:"  # a Strava source's path in the store: strava:<athlete id>
RECORD_PREFIX = "strava:activity/"  # each activity's key (seen files) and file name
RECHECK_DAYS = 30  # activities this recent are listed again each sync: edits and deletions
PER_PAGE = 200  # Strava's largest page
RETRIES = 4  # a network error or 5xx is tried again this many times
BACKOFF_S = 1.0  # doubled at each retry
STREAMS = ("time", "distance", "heartrate", "cadence", "altitude", "moving")
# what runload asks Strava for (one of stravalib's scope names each)
Scope = Literal["read", "read_all", "profile:read_all", "profile:write", "activity:read", "activity:read_all",
                "activity:write"]
SCOPE: list[Scope] = ["read", "activity:read_all"]
# what of a listed activity says it changed (name, type, gear, times and distance)
_FINGERPRINT_KEYS = ("name", "type", "sport_type", "start_date", "distance", "moving_time", "elapsed_time",
                     "gear_id", "total_elevation_gain", "average_heartrate", "max_heartrate", "manual")


class StravaError(Exception):
    """A sync that could not go on; ``exit_code`` is the command's."""

    exit_code = 1


class Revoked(StravaError):
    """The athlete revoked runload's access (or the tokens are no longer valid)."""

    exit_code = 2


@dataclass
class RateLimited(StravaError):
    """Strava's limit for 15 minutes or for the day is reached; the sync can resume at ``resume_utc``."""

    which: str
    resume_utc: datetime

    def __str__(self) -> str:
        return (f"Strava's {self.which} rate limit reached: stopped cleanly, resume after "
                f"{self.resume_utc:%Y-%m-%d %H:%M} UTC (runload sync goes on where it stopped)")


def source_path(athlete_id: str) -> str:
    """The path a Strava source is stored under for a runload athlete."""
    return SOURCE_PREFIX + athlete_id


def is_strava(path: str) -> bool:
    return path.startswith(SOURCE_PREFIX)


def server() -> str:
    """Strava's API server (``host:port``): ``RUNLOAD_STRAVA_SERVER`` for a proxy or a test's
    stand-in, always over TLS with the system's trust store (``REQUESTS_CA_BUNDLE`` honoured)."""
    return os.environ.get("RUNLOAD_STRAVA_SERVER", "").strip() or "www.strava.com"


# ---------------------------------------------------------------- secrets file
def secrets_path(store_path: str | os.PathLike[str]) -> Path:
    """Where a store's Strava tokens are kept: beside it, owner-only."""
    p = Path(store_path)
    return p.with_name(p.name + ".strava.json")


@dataclass
class Credentials:
    """One athlete's authorisation and sync cursor (never printed: ``repr`` hides the secrets)."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    expires_at: int = 0
    cursor: int = 0  # epoch seconds: the start of the newest activity stored


def load_all(path: Path) -> dict[str, Credentials]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {k: Credentials(**v) for k, v in data.items()}


def save(path: Path, athlete_id: str, cred: Credentials | None) -> None:
    """Write (or with None, forget) one athlete's credentials: a new file of mode 0600 replaces
    the old one whole, so a crash never leaves half a file and the secrets are never readable by
    another user, even for a moment."""
    data = {k: v.__dict__ for k, v in load_all(path).items()}
    if cred is None:
        data.pop(athlete_id, None)
    else:
        data[athlete_id] = dict(cred.__dict__)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


# ---------------------------------------------------------------- the API client
def _session() -> Any:
    """A requests session that retries network errors and 5xx answers with backoff, a bounded
    number of times (urllib3's Retry), GET and the token POST alike."""
    import requests  # noqa: PLC0415 - requests loads only when a sync runs
    from requests.adapters import HTTPAdapter  # noqa: PLC0415 - requests loads only when a sync runs
    from urllib3.util.retry import Retry  # noqa: PLC0415 - urllib3 loads only when a sync runs

    retry = Retry(total=RETRIES, connect=RETRIES, read=RETRIES, status=RETRIES, backoff_factor=BACKOFF_S,
                  status_forcelist=(500, 502, 503, 504), allowed_methods=None, raise_on_status=False,
                  respect_retry_after_header=False)
    s = requests.Session()
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s


class Limits:
    """Strava's rate limits as its last answer gave them (``X-RateLimit-Limit: 200,2000`` and
    ``X-RateLimit-Usage: 12,340``, and the stricter read limits ``X-ReadRateLimit-*``): the
    sync asks :meth:`check` before each request, so it stops before a limit, not at a 429."""

    def __init__(self) -> None:
        self.short: tuple[int, int] | None = None  # (usage, limit)
        self.daily: tuple[int, int] | None = None

    def __call__(self, headers: Any, _method: str = "GET") -> None:
        """Read one answer's headers (stravalib's rate_limiter hook): the latest answer says it
        all, so a new 15-minute window starts from what Strava says now."""
        self.short = self.daily = None
        for prefix in ("X-RateLimit", "X-ReadRateLimit"):
            limit, usage = headers.get(f"{prefix}-Limit"), headers.get(f"{prefix}-Usage")
            if not limit or not usage:
                continue
            try:
                (l15, lday), (u15, uday) = [tuple(int(x) for x in v.split(",")[:2]) for v in (limit, usage)]
            except ValueError:
                continue
            self.short = max(self.short or (0, 1), (u15, l15), key=lambda p: p[0] / p[1])
            self.daily = max(self.daily or (0, 1), (uday, lday), key=lambda p: p[0] / p[1])

    def reset(self) -> None:
        self.short = self.daily = None

    def check(self, now: datetime | None = None) -> None:
        now = now or datetime.now(timezone.utc)
        if self.daily and self.daily[0] >= self.daily[1]:
            raise RateLimited("daily", (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0))
        if self.short and self.short[0] >= self.short[1]:
            quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
            raise RateLimited("15-minute", quarter + timedelta(minutes=15))


class Api:
    """Strava's API for one athlete: stravalib's client and protocol, with runload's limits."""

    def __init__(self, cred: Credentials, on_tokens: Callable[[Credentials], None]) -> None:
        from stravalib import Client  # noqa: PLC0415 - stravalib loads only when a sync runs

        logging.getLogger("stravalib").setLevel(logging.ERROR)  # its notes on tokens are not for runners
        self.cred, self.on_tokens = cred, on_tokens
        self.limits = Limits()
        os.environ.setdefault("SILENCE_TOKEN_WARNINGS", "true")
        # stravalib calls its rate_limiter with each answer's headers; its annotation asks for its own class
        self.client = Client(access_token=cred.access_token, rate_limiter=self.limits,  # type: ignore[arg-type]
                             requests_session=_session(),
                             token_expires=cred.expires_at or None, refresh_token=cred.refresh_token)
        self.client.protocol.server = server()

    def _fresh(self) -> None:
        """Refresh the access token when it expires within a minute (stravalib's call)."""
        if self.cred.access_token and self.cred.expires_at > time.time() + 60:
            return
        info = self._call(lambda: self.client.refresh_access_token(int(self.cred.client_id), self.cred.client_secret,
                                                                   self.cred.refresh_token))
        self.cred.access_token = info["access_token"]
        self.cred.refresh_token = info.get("refresh_token") or self.cred.refresh_token
        self.cred.expires_at = int(info.get("expires_at") or 0)
        self.client.access_token = self.cred.access_token
        self.on_tokens(self.cred)

    def _call(self, fn: Callable[[], Any]) -> Any:
        import requests  # noqa: PLC0415 - requests loads only when a sync runs
        from stravalib import exc  # noqa: PLC0415 - stravalib loads only when a sync runs

        self.limits.check()
        try:
            return fn()
        except exc.AccessUnauthorized as e:
            raise Revoked("Strava refused runload's authorisation") from e
        except exc.Fault as e:
            status = getattr(e.response, "status_code", None)
            if status == 429 and e.response is not None:
                self.limits(e.response.headers)
                try:
                    self.limits.check()
                except RateLimited:
                    raise
                raise RateLimited("15-minute", _next_quarter()) from None
            if status in (400, 403) and "/oauth/" in str(getattr(e.response, "url", "")):
                raise Revoked("Strava refused the refresh token") from e
            raise StravaError(f"Strava answered {status} ({_short(e)})") from e
        except requests.RequestException as e:
            raise StravaError(f"could not reach Strava after {RETRIES} retries ({type(e).__name__})") from None

    def get(self, url: str, *, missing_ok: bool = False, **params: Any) -> Any:
        """The JSON Strava answers; with ``missing_ok``, None for a 404 (an activity deleted since
        it was listed, the streams of an activity typed in by hand)."""
        from stravalib import exc  # noqa: PLC0415 - stravalib loads only when a sync runs

        self._fresh()
        try:
            return self._call(lambda: self.client.protocol.get(url, **params))
        except StravaError as e:
            if missing_ok and isinstance(e.__cause__, exc.ObjectNotFound):
                return None
            raise


def _next_quarter() -> datetime:
    now = datetime.now(timezone.utc)
    return now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0) + timedelta(minutes=15)


def _short(e: Exception) -> str:
    return clean_text(str(e), 120) or type(e).__name__


# ---------------------------------------------------------------- authorisation
def authorise(client_id: str, client_secret: str, *, announce: Callable[[str], None],
              port: int = 0, timeout_s: float = 300.0, open_browser: bool = True) -> Credentials:
    """OAuth 2's authorisation-code flow: the runner approves runload in their browser, Strava
    sends them back to a one-shot server on 127.0.0.1 with a code, exchanged (stravalib) for the
    tokens. ``announce`` shows the URL to open (it holds no secret)."""
    from stravalib import Client  # noqa: PLC0415 - stravalib loads only when a sync runs

    state = _secrets.token_urlsafe(16)
    got: dict[str, str] = {}
    done = threading.Event()

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            ok = q.get("state") == state and ("code" in q or "error" in q)
            if ok:
                got.update(q)
                done.set()
            self.send_response(200 if ok else 400)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"runload: done, you can close this page." if ok else b"runload: not this request.")

        def log_message(self, *_args: Any) -> None:  # the code is in the URL: never logged
            pass

    httpd = HTTPServer(("127.0.0.1", port), Callback)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        client = Client(requests_session=_session())
        client.protocol.server = server()
        redirect = f"http://127.0.0.1:{httpd.server_address[1]}/authorized"
        url = client.authorization_url(client_id=int(client_id), redirect_uri=redirect, scope=SCOPE, state=state)
        announce(url)
        if open_browser:
            import webbrowser  # noqa: PLC0415 - a browser is opened only on request

            webbrowser.open(url)
        if not done.wait(timeout_s):
            raise StravaError(f"no answer from Strava's authorisation page within {timeout_s:.0f} s")
    finally:
        httpd.shutdown()
        httpd.server_close()
    if "code" not in got:
        raise StravaError("Strava's authorisation was declined")
    from stravalib import exc  # noqa: PLC0415 - stravalib loads only when a sync runs

    try:
        answer = client.exchange_code_for_token(int(client_id), client_secret, got["code"])
    except exc.Fault as e:
        raise StravaError(f"Strava refused the authorisation code ({getattr(e.response, 'status_code', '?')})") from None
    info = answer[0] if isinstance(answer, tuple) else answer  # (tokens, athlete) when the athlete is asked for
    return Credentials(client_id, client_secret, str(info["refresh_token"]), str(info["access_token"]),
                       int(info.get("expires_at") or 0))


def check_client_id(text: str) -> str:
    text = text.strip()
    if not text.isdigit():
        raise InputError("a Strava client id is a number (see your API application's settings on Strava)")
    return text


# ---------------------------------------------------------------- activities
def fingerprint(summary: dict[str, Any]) -> str:
    """What a listed activity says of itself that runload stores: changes when it is edited."""
    text = json.dumps([summary.get(k) for k in _FINGERPRINT_KEYS], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def record_digest(activity_id: int, print_: str) -> str:
    return hashlib.sha256(f"strava-api:{activity_id}:{print_}".encode()).hexdigest()


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def to_activity(detail: dict[str, Any], streams: dict[str, Any]) -> Activity | None:
    """One Strava activity (its detail and streams) as runload's :class:`Activity`; None when it
    has no start. Values go unchecked here: the store's door checks them (bounds)."""
    start = _time(detail.get("start_date"))
    if start is None:
        return None
    start = start.astimezone(timezone.utc)
    local = _time(detail.get("start_date_local"))
    # Strava's local time is written with a Z: the difference is the offset where it was run
    offset = int((local.replace(tzinfo=timezone.utc) - start).total_seconds()) if local else None
    kind = detail.get("sport_type") or detail.get("type") or ""
    t, dist, hr, cad = (_stream(streams, k) for k in ("time", "distance", "heartrate", "cadence"))
    # the same decision as every file reader: Strava's type, with a warning when a "run" moved
    # at a ride's speed; inferred from the streams when the type names no sport runload knows
    moved = motion(t, dist, distance_m=_num(detail.get("distance")), moving_s=_num(detail.get("moving_time")),
                   cadence=cad, gain_m=_num(detail.get("total_elevation_gain"))) \
        if t is not None and dist is not None and len(t) == len(dist) else \
        motion(np.array([]), np.array([]), distance_m=_num(detail.get("distance")) or 0.0,
               moving_s=_num(detail.get("moving_time")), gain_m=_num(detail.get("total_elevation_gain")))
    notes: list[str] = []
    sport, inferred = settle_sport(sport_from_name(kind) or sport_from_name(detail.get("type")), moved, notes)
    sub = STRAVA_SUB.get(str(detail.get("type") or "").lower()) or STRAVA_SUB.get(_spaced(kind))
    if detail.get("trainer") and sport is Sport.RUNNING and sub is None:
        sub = "treadmill"
    cadence = _num(detail.get("average_cadence"))
    if cadence is not None and sport is Sport.RUNNING:
        cadence *= 2  # Strava's running cadence is per leg, runload's in steps per minute
    gear = detail.get("gear") or {}
    rpe = _num(detail.get("perceived_exertion"))
    hr_bins: dict[int, float] = {}
    if t is not None and hr is not None and len(t) == len(hr):
        hr_bins = hr_bins_array(t, hr)
    return Activity(
        start_utc=start, sport=sport, sub_sport=sub, distance_m=_num(detail.get("distance")) or 0.0,
        timer_s=_num(detail.get("moving_time")), elapsed_s=_num(detail.get("elapsed_time")),
        utc_offset_s=offset if offset is not None and abs(offset) <= 14 * 3600 else None,
        elevation_gain_m=_num(detail.get("total_elevation_gain")),
        avg_hr_bpm=_num(detail.get("average_heartrate")), max_hr_bpm=_num(detail.get("max_heartrate")),
        avg_cadence_spm=cadence, device=clean_text(str(detail.get("device_name") or ""), MAX_SHORT_TEXT_CHARS) or None,
        name=clean_text(str(detail.get("name") or ""), MAX_NAME_CHARS) or None,
        gear=clean_text(str(gear.get("name") or ""), MAX_NAME_CHARS) or None if isinstance(gear, dict) else None,
        rpe=rpe if rpe is not None and 0 <= rpe <= 10 else None, hr_zone_s=hr_bins,
        sport_inferred=inferred, warnings=tuple(notes), laps=_laps(detail.get("laps"), sport),
        # a copy Strava holds: any file of the same run is richer and kept (dedupe.richness)
        distance_source="strava",
    )


def _stream(streams: dict[str, Any], key: str) -> np.ndarray | None:
    """One stream's samples as floats (NaN where not a number), or None when absent."""
    data = (streams.get(key) or {}).get("data") if isinstance(streams.get(key), dict) else None
    if not isinstance(data, list) or not data:
        return None
    return np.array([float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else np.nan
                     for x in data], dtype=float)


def _laps(laps: Any, sport: Sport) -> tuple[Lap, ...]:
    """Strava's laps (the detail's ``laps``) as runload's: the watch's lap button, or Strava's own
    splits when it recorded none. Running cadence doubled, as for the activity."""
    if not isinstance(laps, list):
        return ()
    out = []
    for lap in laps[:MAX_LAPS]:
        if not isinstance(lap, dict):
            continue
        start = _time(lap.get("start_date"))
        cadence = _num(lap.get("average_cadence"))
        out.append(Lap(start_utc=start.astimezone(timezone.utc) if start else None,
                       distance_m=_num(lap.get("distance")), timer_s=_num(lap.get("moving_time")),
                       avg_hr_bpm=_num(lap.get("average_heartrate")), max_hr_bpm=_num(lap.get("max_heartrate")),
                       avg_cadence_spm=cadence * 2 if cadence is not None and sport is Sport.RUNNING else cadence,
                       avg_speed_mps=_num(lap.get("average_speed"))))
    return tuple(out)


def _spaced(kind: str) -> str:
    """``TrailRun`` as ``trail run`` (STRAVA_SUB's keys)."""
    return "".join(f" {c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(kind))


@dataclass
class StravaResult:
    """What one sync of a Strava source did."""

    new: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    summary: Any = None
    stopped: StravaError | None = None

    def words(self) -> str:
        s = self.summary
        dup = len(s.duplicates) if s else 0
        line = (f"{self.new} new, {self.updated} updated, {self.removed} removed from Strava; "
                f"{dup} already stored from a file")
        return line + (f"; {self.stopped}" if self.stopped else "")


def sync_strava(store: Any, athlete_id: str, secrets_file: Path, *, now: float | None = None) -> StravaResult:
    """Pull an athlete's new, edited and deleted activities from Strava (see the module's
    docstring). A stop (rate limit, revoked token, network) is in ``stopped``: what was stored
    before it stays, and the cursor moves only over what was stored."""
    creds = load_all(secrets_file)
    cred = creds.get(athlete_id)
    if cred is None:
        raise Revoked("runload holds no Strava authorisation for this athlete")
    api = Api(cred, lambda c: save(secrets_file, athlete_id, c))
    rec = RecordImport(store, athlete_id, f"strava:{athlete_id}")
    result = StravaResult(summary=rec.summary)
    now = now if now is not None else time.time()
    after = max(0, min(cred.cursor, int(now)) - RECHECK_DAYS * 86400) if cred.cursor else 0
    listed: set[str] = set()
    newest = cred.cursor
    complete = False
    try:
        page = 1
        while True:
            acts = api.get("/athlete/activities", after=after, page=page, per_page=PER_PAGE)
            if not isinstance(acts, list):
                raise StravaError("Strava's list of activities was not a list")
            for summary in sorted(acts, key=lambda a: str(a.get("start_date", ""))):
                aid = summary.get("id")
                if not isinstance(aid, int):
                    continue
                key = f"{RECORD_PREFIX}{aid}"
                listed.add(key)
                fp = fingerprint(summary)
                old = rec.seen.get(key)
                if old is not None and old[0] == fp:
                    result.unchanged += 1
                else:
                    detail = api.get(f"/activities/{aid}", missing_ok=True)
                    streams = api.get(f"/activities/{aid}/streams", missing_ok=True, keys=",".join(STREAMS),
                                      key_by_type="true")
                    act = to_activity(detail if isinstance(detail, dict) else summary,
                                      streams if isinstance(streams, dict) else {})
                    rec.add(key, key, fp, record_digest(aid, fp), [act] if act else [])
                    if old is None:
                        result.new += 1
                    else:
                        result.updated += 1
                start = _time(summary.get("start_date"))
                if start is not None:
                    newest = max(newest, int(start.timestamp()))
                    cred.cursor = newest
            if len(acts) < PER_PAGE:
                break
            page += 1
        complete = True
    except StravaError as e:
        result.stopped = e
    finally:
        if cred.cursor:
            save(secrets_file, athlete_id, cred)
    if complete:
        # an activity of the re-checked days that Strava no longer lists was deleted there
        for key, (_fp, digest, _n) in list(rec.seen.items()):
            if key.startswith(RECORD_PREFIX) and key not in listed and _stored_after(store, athlete_id, digest, after):
                rec.remove(key, digest)
                result.removed += 1
    rec.finish()
    return result


def _stored_after(store: Any, athlete_id: str, digest: str | None, after: int) -> bool:
    """Whether the record stored under ``digest`` starts after ``after`` (inside the listed
    span). One that stored nothing (a file's copy of the run was kept) has nothing to remove."""
    if digest is None:
        return False
    row = store.conn.execute("SELECT min(start_utc) FROM activities WHERE athlete_id = ? AND source_hash = ?",
                             (athlete_id, digest)).fetchone()
    if row is None or row[0] is None:
        return False
    start = _time(str(row[0]))
    return start is not None and start.timestamp() > after


__all__ = ["Api", "Credentials", "RateLimited", "Revoked", "StravaError", "StravaResult", "authorise",
           "is_strava", "load_all", "save", "secrets_path", "source_path", "sync_strava", "to_activity"]
