"""Benchmark: a first sync of 2,000 Strava activities within Strava's rate limits.

A stand-in of Strava's API (tests/strava_stand_in.py, TLS on 127.0.0.1) holds 2,000 one-hour
runs and enforces Strava's default read limits, 100 requests per 15 minutes and 1,000 a day. The
sync is run the way cron would run `runload sync`: each run goes until a limit stops it; the
clock is then moved to the time the sync said it could resume (the stand-in's 15-minute or daily
count is reset), and it runs again, until every activity is stored.

The arithmetic it must meet: each new activity costs two requests (its detail and its streams)
and each run one listing page per 200 activities still listed, so the 4,000 + listing requests
need at least ceil(requests / 1,000) days and ceil(requests / 100) quarters of an hour; the
benchmark prints the runs, the days and quarters it took, and the CPU time per activity spent
by runload (the syncing thread alone, not the stand-in's).

Usage: python benchmarks/bench_strava_sync.py [--activities N]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--activities", type=int, default=2000)
    n = ap.parse_args().activities

    from strava_stand_in import StandIn, activity

    from runload.athletes import make_athlete
    from runload.ingest import strava_api
    from runload.store import Store

    t0 = datetime(2015, 1, 1, 6, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as tmp, StandIn() as stand:
        ca = Path(tmp) / "ca.pem"
        ca.write_bytes(stand.ca_pem)
        os.environ["REQUESTS_CA_BUNDLE"] = str(ca)
        os.environ["RUNLOAD_STRAVA_SERVER"] = stand.address
        stand.limit_15, stand.limit_day = 100, 1000
        for i in range(n):
            stand.activities[i + 1] = activity(i + 1, t0 + timedelta(hours=30 * i), minutes=60)
        store_path = Path(tmp) / "store.sqlite"
        secrets = strava_api.secrets_path(store_path)
        with Store.open(store_path) as store:
            store.add_athlete(make_athlete("ana", name="Ana", timezone="Europe/Stockholm"))
        strava_api.save(secrets, "ana", strava_api.Credentials("1234", "s3cret-client", "rt-0"))
        runs = quarters = days = 0
        cpu = 0.0
        wall = time.perf_counter()
        while True:
            runs += 1
            with Store.open(store_path) as store:
                c0 = time.thread_time()
                result = strava_api.sync_strava(store, "ana", secrets)
                cpu += time.thread_time() - c0
            if result.stopped is None:
                break
            if not isinstance(result.stopped, strava_api.RateLimited):
                raise SystemExit(f"stopped: {result.stopped}")
            assert stand.usage_15 <= stand.limit_15 and stand.usage_day <= stand.limit_day, "a limit was exceeded"
            # the clock moves to the resume time the sync gave
            if result.stopped.which == "daily":
                days += 1
                stand.usage_day = 0
            quarters += 1
            stand.usage_15 = 0
            if runs > 10 * n:
                raise SystemExit("no progress")
        wall = time.perf_counter() - wall
        with Store.open(store_path) as store:
            stored = len(store.activities("ana"))
        calls = stand.api_calls()
        print(f"{n:,} activities: {stored:,} stored in {runs} runs ({quarters} rate-limit stops, {days} of them "
              f"daily); {calls:,} API requests, {stand.requests.count('POST /oauth/token')} token refreshes, "
              f"{stand.answered_429} answered 429")
        print(f"arithmetic: {calls:,} requests at 100/15 min and 1,000/day need at least {math.ceil(calls / 100)} "
              f"quarter-hour windows over {math.ceil(calls / 1000)} days; the sync used {quarters + 1} windows over "
              f"{days + 1} days")
        print(f"runload CPU time per activity: {cpu / max(1, stored) * 1000:.2f} ms "
              f"(syncing thread; {cpu:.1f} s in all; wall {wall:.1f} s with the stand-in in the same process)")
        assert stored == n


if __name__ == "__main__":
    main()
