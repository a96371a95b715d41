"""Ballot casting under load, against gunicorn (gthread) on PostgreSQL.

Voters hold personal API tokens and cast, then keep changing, their ballot through
``PUT /api/v1/budgeting/processes/<slug>/budgets/<budget>/ballot`` (a shopping-cart ballot,
20 projects). Two scenarios, each on a fresh set of ballots:

* ``voters`` (the issue's scenario, realistic): 200 voters for 60 s, each thinking 1-3 s
  (uniformly random) before every submission, so about 100 submissions a second are offered.
  Target: p95 under 200 ms.
* ``saturation`` (closed loop, no think time): 200 clients send the next request as soon as
  the last answered. Latency here is mostly queueing (Little's law: 200 clients / throughput),
  so the figure that matters is the throughput.

After each scenario the database must hold exactly one ballot per voter who had a successful
submission, with a revision equal to that voter's number of successful submissions (no ballot
lost or doubled, no change lost). Errors are counted by kind (HTTP status or exception); a
request on a kept-alive connection that the server closed during the think time is sent again
once on a new connection, as browsers do, and counted under ``reconnects_after_keepalive_close``.

The server layout is ``--workers`` (default: cores + 1) x ``--threads`` (8), with gunicorn's
default 2 s ``--keep-alive``; see bigsociety/budgeting/README.md ("Speed") for the layouts
measured.

``--profile`` first measures one submission in-process (Django test client on the same
database): the queries it runs (CaptureQueriesContext) and where the time goes (cProfile).

    .venv/bin/python bench/bench_ballots.py --label after          # both scenarios + profile
    .venv/bin/python bench/bench_ballots.py --label before --scenario voters
    .venv/bin/python bench/bench_ballots.py --quick                 # 20 voters, 5 s each

Results are merged into bench/results/ballots.json under the label (``--quick`` writes
ballots-quick.json), so "before" and "after" sit side by side.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PORT = 8766
DB = "bench_ballots"
PATH = "/api/v1/budgeting/processes/bench/budgets/area/ballot"

SETUP = """
import datetime as dt, json
from django.utils import timezone
from bigsociety.accounts.models import User, ApiToken
from bigsociety.accounts.tokens import new_api_token
from bigsociety.budgeting.models import Process, Budget, Project, Elector
from bigsociety.budgeting.eligibility import secret_hash
now = timezone.now()
p = Process.objects.create(title="Bench", slug="bench", phase="voting", ballot_kind="knapsack",
    voting_opens_at=now - dt.timedelta(hours=1), voting_closes_at=now + dt.timedelta(days=1),
    config_frozen_at=now)
b = Budget.objects.create(process=p, name="Area", slug="area", amount=100000)
for i in range(1, 21):
    Project.objects.create(budget=b, reference=f"P{i}", title=f"Project {i}", cost=5000 + 1000 * i,
        origin="staff", feasibility="feasible")
tokens = []
for i in range(VOTERS + 2):
    u = User.objects.create_user(email=f"voter{i}@example.org", password=None, display_name=f"V{i}")
    digest = secret_hash(process=p, raw=u.email)
    Elector.objects.create(process=p, source="list", secret_hash=digest)
    raw = new_api_token()
    ApiToken.objects.create(user=u, name="bench", prefix=raw[:8], digest=ApiToken.digest_of(raw))
    tokens.append(raw)
print(json.dumps(tokens))
"""

RESET = """
from bigsociety.budgeting.models import Ballot
from bigsociety.common.models import AuditEntry
Ballot.objects.all().delete()
AuditEntry.objects.filter(action__startswith="budgeting.ballot").delete()
"""

CHECK = """
import json
from bigsociety.budgeting.models import Ballot
ballots = Ballot.objects.select_related("elector__user")
print(json.dumps({b.elector.user.email: b.revision for b in ballots}))
"""

# One submission measured in-process: queries and a cProfile of 50 submissions. Uses the two
# spare voters (VOTERS and VOTERS + 1) so the load scenarios' voters are untouched.
PROFILE = """
import cProfile, io, json, pstats, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
tokens = json.loads(TOKENS)
path = PATH
client = Client(HTTP_AUTHORIZATION="Bearer " + tokens[0], HTTP_HOST="localhost")
def put(projects):
    body = json.dumps({"projects": projects})
    return client.put(path, data=body, content_type="application/json")
put(["P1"])  # warm up: the first request imports and builds the URL map
from bigsociety.budgeting.models import Ballot
Ballot.objects.filter(elector__user__email=EMAIL0).delete()
report = {}
for label, projects in (("cast", ["P1", "P2", "P3"]), ("change", ["P4", "P5"])):
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        response = put(projects)
        ms = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, response.content
    report[label] = {"queries": len(queries), "ms": round(ms, 1),
                     "sql": [q["sql"][:160] for q in queries.captured_queries]}
client = Client(HTTP_AUTHORIZATION="Bearer " + tokens[1], HTTP_HOST="localhost")
put(["P1"])
times = []
profiler = cProfile.Profile()
for n in range(50):
    t0 = time.perf_counter()
    profiler.enable()
    put([f"P{1 + n % 20}", f"P{1 + (n + 7) % 20}"])
    profiler.disable()
    times.append((time.perf_counter() - t0) * 1000)
out = io.StringIO()
pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
report["change_ms_mean_of_50"] = round(sum(times) / len(times), 2)
report["change_ms_median_of_50"] = round(sorted(times)[25], 2)
report["cprofile_top"] = [line for line in out.getvalue().splitlines() if line.strip()][:40]
print(json.dumps(report))
"""


def database_url() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DB}"


def shell(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 2) + 1))
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep-alive", type=float, default=2, help="gunicorn --keep-alive (s)")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--scenario", choices=("voters", "saturation", "both"), default="both")
    parser.add_argument("--label", default="after", help="where the results go in the JSON file")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.voters, args.seconds = 20, 5
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url(),
        "HASHING_PEPPER": "bench-pepper",
        "API_RATE_TOKEN": "1000000/s",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    all_tokens = json.loads(shell(env, SETUP.replace("VOTERS", str(args.voters))))
    tokens, spare = all_tokens[: args.voters], all_tokens[args.voters :]
    report: dict[str, Any] = {
        "benchmark": "ballot casting (PUT ballot via API, shopping-cart ballot, 20 projects)",
        "server": (
            f"gunicorn gthread, {args.workers} workers x {args.threads} threads, "
            f"keep-alive {args.keep_alive:g} s, PostgreSQL"
        ),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "note": "server, PostgreSQL and load generator share these CPUs",
        },
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if not args.no_profile:
        code = (
            PROFILE.replace("TOKENS", repr(json.dumps(spare)))
            .replace("PATH", repr(PATH))
            .replace("EMAIL0", repr(f"voter{args.voters}@example.org"))
        )
        report["profile_one_submission"] = json.loads(shell(env, code))
    scenarios = ["voters", "saturation"] if args.scenario == "both" else [args.scenario]
    failed = False
    for scenario in scenarios:
        shell(env, RESET)
        think = tuple(args.think) if scenario == "voters" else None
        load_before = os.getloadavg()[0]
        result = run_server_and_load(env, tokens, args, think)
        result["load_average_1min_before_and_after"] = [
            round(load_before, 2),
            round(os.getloadavg()[0], 2),
        ]
        stored = json.loads(shell(env, CHECK))
        per_voter = result.pop("ok_per_voter")
        expected = {f"voter{i}@example.org": n for i, n in enumerate(per_voter) if n}
        wrong = {k: (v, stored.get(k)) for k, v in expected.items() if stored.get(k) != v}
        extra = sorted(set(stored) - set(expected))
        result.update(
            {
                "ballots_in_db": len(stored),
                "voters_with_a_successful_submission": len(expected),
                "lost_or_doubled": len(wrong) + len(extra),
            }
        )
        if scenario == "voters":
            result["target_p95_ms"] = 200
            result["p95_ok"] = result["p95_ms"] < 200
        report[scenario] = {
            "what": (
                f"{args.voters} voters for {args.seconds:g} s, each thinking "
                f"{args.think[0]:g}-{args.think[1]:g} s before every submission (cast, then "
                "changes)"
                if scenario == "voters"
                else f"{args.voters} clients for {args.seconds:g} s, closed loop, no think time"
            ),
            "voters": args.voters,
            "seconds": args.seconds,
            **result,
        }
        failed = failed or bool(result["lost_or_doubled"])
        print(json.dumps({scenario: report[scenario]}, indent=2), flush=True)
    name = "ballots-quick.json" if args.quick else "ballots.json"
    target = ROOT / "bench" / "results" / name
    target.parent.mkdir(exist_ok=True)
    existing: dict[str, Any] = {}
    if target.exists():
        existing = json.loads(target.read_text())
        if "benchmark" in existing and "before" not in existing and "after" not in existing:
            # The first run's flat layout (saturation only, before any changes).
            existing = {"first_run_saturation_only": existing}
    previous = existing.get(args.label, {})
    existing[args.label] = {**previous, **report}
    target.write_text(json.dumps(existing, indent=2) + "\n")
    if failed:
        sys.exit(1)


def run_server_and_load(
    env: dict[str, str], tokens: list[str], args: argparse.Namespace, think: tuple | None
) -> dict[str, Any]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-k",
            "gthread",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--keep-alive",
            f"{args.keep_alive:g}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(150):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                c.request("GET", "/api/v1/budgeting/processes")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        # Warm every worker (URL map, Wagtail, connections) with reads before timing.
        for _ in range(args.workers * 20):
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            c.request("GET", "/api/v1/budgeting/processes/bench")
            c.getresponse().read()
            c.close()
        return load(tokens, args.seconds, think)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def load(tokens: list[str], seconds: float, think: tuple | None) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in tokens]
    ok = [0] * len(tokens)
    errors = [0] * len(tokens)
    reconnects = [0] * len(tokens)
    failures: Counter[str] = Counter()
    start = time.perf_counter()
    stop_at = start + seconds

    def voter(i: int) -> None:
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while True:
            if think is not None:
                pause = rng.uniform(*think)
                if time.perf_counter() + pause >= stop_at:
                    break
                time.sleep(pause)
            elif time.perf_counter() >= stop_at:
                break
            chosen = rng.sample(range(1, 21), 3)
            body = json.dumps({"projects": [f"P{n}" for n in chosen]})
            headers = {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"}
            t0 = time.perf_counter()
            status = None
            # A kept-alive connection the server closed while the voter was thinking fails
            # before the request reaches a worker: like browsers and urllib3, reconnect and send
            # it once more (PUT is idempotent; the revision check below would show a double).
            for attempt in (1, 2):
                try:
                    conn.request("PUT", PATH, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    break
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                    stale = isinstance(
                        error,
                        http.client.RemoteDisconnected | BrokenPipeError | ConnectionResetError,
                    )
                    if attempt == 1 and stale:
                        reconnects[i] += 1
                        continue
                    failures[f"{type(error).__name__}"] += 1
                    break
            if status is None:
                errors[i] += 1
                continue
            latencies[i].append((time.perf_counter() - t0) * 1000)
            if status == 200:
                ok[i] += 1
            else:
                errors[i] += 1
                failures[f"HTTP {status}"] += 1

    threads = [threading.Thread(target=voter, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    flat = sorted(x for xs in latencies for x in xs)
    q = statistics.quantiles(flat, n=100) if len(flat) > 1 else [0.0] * 99
    return {
        "requests": len(flat),
        "successful": sum(ok),
        "errors": sum(errors),
        "errors_by_kind": dict(failures),
        "reconnects_after_keepalive_close": sum(reconnects),
        "requests_per_second": round(len(flat) / elapsed, 1),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(flat[-1], 1) if flat else 0,
        "ok_per_voter": ok,
    }


if __name__ == "__main__":
    main()
