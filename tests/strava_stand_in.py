"""A stand-in for the Strava v3 endpoints runload uses, on 127.0.0.1 over TLS (trustme's CA).

It answers with the documented shapes: the OAuth authorise redirect and token endpoint, the
athlete's activity list (``after``, ``page``, ``per_page``, oldest first), an activity's detail
and its streams keyed by type; every API answer carries ``X-RateLimit-Limit`` and
``X-RateLimit-Usage``; past the 15-minute limit it answers 429. ``fail`` holds statuses to answer
the next API requests with (a 503, say); ``revoked`` refuses every token.
"""

from __future__ import annotations

import json
import ssl
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import trustme


def activity(aid: int, start: datetime, *, km: float = 10.0, minutes: float = 50.0, name: str = "Run",
             kind: str = "Run", gear: str | None = "Pegasus 40", rpe: int | None = 4) -> dict[str, Any]:
    """A DetailedActivity as Strava returns it (the list's SummaryActivity is the same less gear)."""
    return {
        "id": aid, "name": name, "type": kind, "sport_type": kind, "distance": km * 1000.0,
        "moving_time": int(minutes * 60), "elapsed_time": int(minutes * 60) + 30,
        "total_elevation_gain": 42.0, "start_date": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "start_date_local": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": "(GMT+01:00) Europe/Stockholm", "average_heartrate": 150.0, "max_heartrate": 171.0,
        "average_cadence": 85.0, "gear_id": "g1" if gear else None, "manual": False, "trainer": False,
        "gear": {"id": "g1", "name": gear} if gear else None, "perceived_exertion": rpe,
        "device_name": "Garmin Forerunner 255",
        "laps": [{"id": aid * 10 + i, "lap_index": i + 1, "distance": km * 500.0, "moving_time": int(minutes * 30),
                  "elapsed_time": int(minutes * 30), "average_heartrate": 150.0, "average_cadence": 85.0,
                  "average_speed": km * 1000 / (minutes * 60),
                  "start_date": (start + timedelta(minutes=minutes / 2 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                 for i in range(2)],
    }


class StandIn:
    def __init__(self) -> None:
        self.activities: dict[int, dict[str, Any]] = {}
        self.fail: list[int] = []
        self.revoked = False
        self.limit_15 = 600
        self.usage_15 = 0
        self.limit_day = 30000
        self.usage_day = 0
        self.force_429 = 0  # answer this many next API requests with 429, whatever the usage
        self.answered_429 = 0
        self.requests: list[str] = []
        self.codes: dict[str, str] = {}
        self.tokens_issued = 0
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_pem = ca.cert_pem.bytes()
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        stand = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_a: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(n).decode()).items()}
                url = urlparse(self.path)
                stand.requests.append("POST " + url.path)
                if url.path != "/oauth/token":
                    return self._send(404, {"message": "Record Not Found", "errors": []})
                ok = ((form.get("grant_type") == "authorization_code" and form.get("code") in stand.codes)
                      or (form.get("grant_type") == "refresh_token" and form.get("refresh_token", "").startswith("rt-")))
                if stand.revoked or not ok or form.get("client_secret") != "s3cret-client":
                    return self._send(400, {"message": "Bad Request", "errors": [
                        {"resource": "RefreshToken", "field": "refresh_token", "code": "invalid"}]})
                stand.tokens_issued += 1
                self._send(200, {"token_type": "Bearer", "access_token": f"at-{stand.tokens_issued}",
                                 "refresh_token": f"rt-{stand.tokens_issued}", "expires_in": 21600,
                                 "expires_at": int(datetime.now(timezone.utc).timestamp()) + 21600})

            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                stand.requests.append("GET " + url.path)
                if url.path == "/oauth/authorize":
                    code = f"code-{len(stand.codes)}"
                    stand.codes[code] = q["redirect_uri"]
                    self.send_response(302)
                    self.send_header("Location", q["redirect_uri"] + "?" + urlencode(
                        {"state": q.get("state", ""), "code": code, "scope": q.get("scope", "")}))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                auth = self.headers.get("Authorization", "")
                if stand.revoked or not auth.startswith("Bearer at-"):
                    return self._send(401, {"message": "Authorization Error", "errors": [
                        {"resource": "Athlete", "field": "access_token", "code": "invalid"}]})
                stand.usage_15 += 1
                stand.usage_day += 1
                limits = {"X-RateLimit-Limit": f"{stand.limit_15},{stand.limit_day}",
                          "X-RateLimit-Usage": f"{stand.usage_15},{stand.usage_day}"}
                if stand.usage_15 > stand.limit_15 or stand.usage_day > stand.limit_day or stand.force_429:
                    stand.force_429 = max(0, stand.force_429 - 1)
                    stand.answered_429 += 1
                    return self._send(429, {"message": "Rate Limit Exceeded", "errors": []}, limits)
                if stand.fail:
                    return self._send(stand.fail.pop(0), {"message": "Server Error", "errors": []}, limits)
                parts = url.path.removeprefix("/api/v3/").split("/")
                if parts == ["athlete", "activities"]:
                    after = int(q.get("after", 0))
                    page, per = int(q.get("page", 1)), int(q.get("per_page", 30))
                    rows = sorted((a for a in stand.activities.values()
                                   if _epoch(a["start_date"]) > after), key=lambda a: a["start_date"])
                    rows = [{k: v for k, v in a.items() if k not in ("gear", "perceived_exertion")}
                            for a in rows[(page - 1) * per: page * per]]
                    return self._send(200, rows, limits)
                if parts[0] == "activities" and len(parts) >= 2 and int(parts[1]) in stand.activities:
                    a = stand.activities[int(parts[1])]
                    if len(parts) == 2:
                        return self._send(200, a, limits)
                    if a["manual"]:  # typed in by hand: no streams
                        return self._send(404, {"message": "Record Not Found", "errors": []}, limits)
                    n = int(a["elapsed_time"]) // 10
                    t = list(range(0, n * 10, 10))
                    return self._send(200, {
                        "time": {"data": t, "series_type": "time", "original_size": n, "resolution": "high"},
                        "distance": {"data": [a["distance"] * i / max(1, n - 1) for i in range(n)]},
                        "heartrate": {"data": [140 + (i % 20) for i in range(n)]},
                        "cadence": {"data": [85] * n}, "moving": {"data": [True] * n}}, limits)
                self._send(404, {"message": "Record Not Found", "errors": []}, limits)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "StandIn":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def api_calls(self) -> int:
        return sum(1 for r in self.requests if r.startswith("GET /api/"))


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
