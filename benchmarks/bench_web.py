#!/usr/bin/env python3
"""The web app under load: many clients at once against ``runload serve`` on 127.0.0.1.

A store of made-up athletes (default 100, a year of training each: the athletes of
``bench_assess.py``), ten coaches following ten athletes each, and a login for every one of
them, is built in a temporary folder. ``runload serve`` runs in its own process (one uvicorn
worker, as a person would start it); the clients run in this process on asyncio (httpx), each
logged in as one athlete or coach:

- an athlete client reads their dashboard (``GET /``) and, every fifth request, logs a pain
  entry (``POST /athletes/ID/pain``), so entries are written while dashboards are read;
- a coach client (one in ten) reads the roster of its ten athletes (``GET /``).

The run is bounded: at most ``--seconds`` (default 60) of requests, each with a 30 s timeout,
only to 127.0.0.1, and it stops by itself. It prints p50/p95 latency per kind of request, the
throughput, how many answers were 5xx, and checks that every entry the server confirmed is in
the store afterwards. Goal: dashboard p95 under 300 ms on 2 cores.

    .venv/bin/python benchmarks/bench_web.py [--clients 50] [--seconds 60] [--athletes 100] [--baseline REV]

``--baseline REV`` measures the server of git revision REV first (its ``src`` and ``rules``
taken with ``git archive`` into a temporary folder), then this tree's, on copies of the same
store, one right after the other, and prints both: the machine is shared, so only two runs
made under the same conditions compare.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_assess import END, add_athlete  # noqa: E402  (the same made-up athletes)

PASSWORD = "bench password 1"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_store(path: Path, athletes: int) -> None:
    from runload.store import Store
    from runload.web.accounts import add_user

    with Store.open(path) as store:
        for i in range(athletes):
            add_athlete(store, f"a{i:03d}", 365, seed=i)
        for c in range(max(1, athletes // 10)):
            ids = [f"a{i:03d}" for i in range(c * 10, min(athletes, c * 10 + 10))]
            store.add_coach(f"coach{c}", f"coach{c}@example.org", None, ids)
        add_user(store, "a000", PASSWORD, role="athlete", subject_id="a000")
        # one Argon2 hash for every login (the same password): hashing each costs a second of the
        # benchmark's set-up, and a login verifies the same way whatever its hash's salt
        with store.atomic() as conn:
            digest = conn.execute("SELECT password_hash FROM users").fetchone()[0]
            for c in range(max(1, athletes // 10)):
                conn.execute("INSERT INTO users VALUES (?, 'coach', ?, ?, '2026-01-01T00:00:00+00:00')",
                             (f"coach{c}", f"coach{c}", digest))
            for i in range(1, athletes):
                conn.execute("INSERT INTO users VALUES (?, 'athlete', ?, ?, '2026-01-01T00:00:00+00:00')",
                             (f"a{i:03d}", f"a{i:03d}", digest))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def client(base: str, login: str, athlete_id: str | None, start: asyncio.Event, seconds: float,
                 stats: dict, written: set, ready: list) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        try:
            # logins are Argon2 hashes on purpose: 50 at once take a while, outside the window
            form = await c.get("/login", timeout=600)
            t = time.perf_counter()
            r = await c.post("/login", data={"login": login, "password": PASSWORD,
                                             "csrf_token": TOKEN.search(form.text).group(1)}, timeout=600)
            stats["login"].append(time.perf_counter() - t)
        except httpx.HTTPError as exc:
            stats["errors"].append(f"login {login}: {exc!r}")
            return
        if r.status_code != 303:
            stats["errors"].append(f"login {login}: {r.status_code}")
            return
        ready.append(login)
        await start.wait()  # every client logged in: the timed window starts
        token: str | None = None

        async def one(n: int) -> Any:
            """One request: every fifth a pain entry, the others the dashboard (and its chart, as a
            browser fetches it) or, for a coach, the roster."""
            nonlocal token
            if athlete_id and token and n % 5 == 0:
                k = sum(1 for w in written if w[0] == athlete_id)
                note = f"bench {login} {n}"
                day = END - timedelta(days=k % 360)
                t = time.perf_counter()
                r = await c.post(f"/athletes/{athlete_id}/pain", data={
                    "csrf_token": token, "pain_after": str(n % 6), "side": ("left", "right", "both")[(k // 360) % 3],
                    "date": day.isoformat(), "notes": note})
                stats["pain entry"].append(time.perf_counter() - t)
                if r.status_code == 200:
                    written.add((athlete_id, note))
                return r
            t = time.perf_counter()
            r = await c.get("/")
            stats["dashboard" if athlete_id else "roster"].append(time.perf_counter() - t)
            if athlete_id and token is None and r.status_code == 200:
                token = TOKEN.search(r.text).group(1)
            if athlete_id and r.status_code == 200 and "charts/weekly_distance.svg" in r.text:
                t = time.perf_counter()
                chart = await c.get(f"/athletes/{athlete_id}/charts/weekly_distance.svg?view=16w")
                stats["chart"].append(time.perf_counter() - t)
                if chart.status_code >= 500:
                    stats["5xx"] += 1
            return r

        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            n += 1
            try:
                try:
                    r = await one(n)
                except httpx.RemoteProtocolError:
                    # the server closed a kept-alive connection while this client was idle (its
                    # keep-alive timeout): what a browser does, try once more on a new one
                    r = await one(n)
            except httpx.TimeoutException:
                stats["timeouts"] += 1
                continue
            if r.status_code >= 500:
                stats["5xx"] += 1
            elif r.status_code != 200:
                stats["errors"].append(f"{r.request.method} {r.request.url.path}: {r.status_code}")


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the server process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(base: str, clients: int, athletes: int, seconds: float, at_start: Any = None) -> tuple[dict, set, float]:
    stats: dict = {"login": [], "dashboard": [], "chart": [], "pain entry": [], "roster": [], "errors": [], "5xx": 0, "timeouts": 0}
    written: set = set()
    who = []
    for i in range(clients):
        if i % 10 == 9:
            who.append((f"coach{(i // 10) % max(1, athletes // 10)}", None))
        else:
            a = f"a{i % athletes:03d}"
            who.append((a, a))
    go = asyncio.Event()
    ready: list = []
    tasks = [asyncio.create_task(client(base, login, aid, go, seconds, stats, written, ready)) for login, aid in who]
    while len(ready) + len(stats["errors"]) < clients:
        await asyncio.sleep(0.05)
    print(f"{len(ready)} clients logged in (Argon2: p50 {pct(stats['login'], 50) * 1000:.0f} ms a login under the "
          f"stampede); timed window starts")
    if at_start is not None:
        at_start()
    start = time.monotonic()
    go.set()
    await asyncio.gather(*tasks)
    return stats, written, time.monotonic() - start


def run_server(path: Path, args: argparse.Namespace, seconds: float, src: Path | None) -> tuple[dict, set, float, float, set]:
    """Serve the store at ``path`` (this tree's runload, or the one in ``src``), put the load on
    it; the stats, the entries confirmed, the window, the server's CPU seconds in it and the
    entries in the store afterwards."""
    import httpx

    port = free_port()
    env = {**os.environ, "RUNLOAD_TODAY": END.isoformat(), "RUNLOAD_SMTP_HOST": ""}
    if src is not None:
        env["PYTHONPATH"] = str(src / "src")
    server = subprocess.Popen([sys.executable, "-m", "runload", "--store", str(path), "serve", "--port", str(port)],
                              env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        cpu: list[float] = []
        stats, written, took = asyncio.run(load(base, args.clients, args.athletes, seconds,
                                                lambda: cpu.append(server_cpu_s(server.pid))))
        cpu.append(server_cpu_s(server.pid))
    finally:
        server.terminate()
        server.wait(30)

    from runload.store import Store

    with Store.open(path, create=False) as store:
        stored = {(aid, note) for (aid, note) in
                  store.conn.execute("SELECT athlete_id, notes FROM pain_entries WHERE notes LIKE 'bench %'")}
    return stats, written, took, cpu[1] - cpu[0] if len(cpu) == 2 else float("nan"), stored


def summary(label: str, args: argparse.Namespace, stats: dict, written: set, took: float, busy: float,
            stored: set) -> bool:
    """Print one run's numbers; whether it passed (no 5xx, no entry lost)."""
    total = sum(len(stats[k]) for k in ("dashboard", "chart", "pain entry", "roster"))
    print(f"{label}: {args.clients} clients for {took:.0f} s: {total} requests, {total / took:.0f} per second")
    for kind in ("dashboard", "chart", "pain entry", "roster"):
        v = [x * 1000 for x in stats[kind]]
        if v:
            print(f"  {kind:<11} n={len(v):>6}  p50 {pct(v, 50):7.1f} ms  p95 {pct(v, 95):7.1f} ms  "
                  f"mean {statistics.fmean(v):7.1f} ms")
    print(f"  server CPU in the window: {busy:.1f} s, {1000 * busy / max(1, total):.1f} ms a request "
          f"(the machine's load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    missing = written - stored
    print(f"  5xx answers: {stats['5xx']}; timeouts (30 s): {stats['timeouts']}; other refusals: {len(stats['errors'])}"
          + (f" (first: {stats['errors'][0]})" if stats["errors"] else ""))
    print(f"  pain entries confirmed: {len(written)}, in the store afterwards: {len(written & stored)}"
          f"{'' if not missing else f', MISSING {len(missing)}'}")
    return not missing and not stats["5xx"]


def main() -> int:
    import shutil

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--athletes", type=int, default=100)
    ap.add_argument("--baseline", metavar="REV", help="measure git revision REV's server first, on the same store")
    args = ap.parse_args()
    seconds = min(args.seconds, 60.0)  # bounded, whatever is asked

    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "built.sqlite"
        t = time.perf_counter()
        build_store(built, args.athletes)
        print(f"store: {args.athletes} athletes x 1 year, {max(1, args.athletes // 10)} coaches, built in "
              f"{time.perf_counter() - t:.1f} s")
        runs: list[tuple[str, Path | None]] = [("this tree", None)]
        if args.baseline:
            src = Path(tmp) / "baseline"
            src.mkdir()
            repo = Path(__file__).resolve().parents[1]
            archive = subprocess.run(["git", "-C", str(repo), "archive", args.baseline, "src", "rules"],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
            runs.insert(0, (f"baseline {args.baseline}", src))
        ok = True
        for label, src in runs:
            path = Path(tmp) / f"run-{len(label)}.sqlite"
            shutil.copy(built, path)
            print(f"-- {label}")
            result = run_server(path, args, seconds, src)
            ok = summary(label, args, *result) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
