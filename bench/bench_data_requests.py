"""Right-to-data benchmark: the public register, its JSON API and the statistics page with
10,000 requests from 25 publishers, under gunicorn with 20 concurrent clients, against a bare
"hello" view measured in the same run.

Targets: p95 under 50 ms on PostgreSQL for register and API pages (the statistics page is one
GROUP BY over every request: p95 under 200 ms); no errors.

    .venv/bin/python bench/bench_data_requests.py [--db postgres|sqlite] [--seconds 10]

Writes bench/results/data-requests-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import run_load  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PORT = 8771


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_data_requests WITH (FORCE)")
        conn.execute("CREATE DATABASE bench_data_requests")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/bench_data_requests"


def prepare(env: dict[str, str], requests: int) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    code = f"""
import datetime as dt, random
from bigsociety.organisations.models import Organisation
from bigsociety.opendata.models import DataRequest, new_reference
from bigsociety.opendata.services.requests import deadlines_from
rng = random.Random(1)
pubs = [Organisation.objects.get_or_create(slug=f"publisher-{{i:02d}}",
        defaults={{"name": f"Publisher {{i:02d}}", "kind": "council"}})[0] for i in range(25)]
start = dt.date(2024, 1, 1)
statuses = ["awaiting_response", "not_held", "partially_successful", "withdrawn", "refused",
            "awaiting_clarification", "internal_review"]
rows = []
for i in range({requests}):
    received = start + dt.timedelta(days=rng.randrange(0, 700))
    due, very = deadlines_from(received)
    status = statuses[i % len(statuses)]
    answered = status not in ("awaiting_response", "awaiting_clarification", "withdrawn")
    responded = received + dt.timedelta(days=rng.randrange(5, 45)) if answered else None
    rows.append(DataRequest(reference=new_reference(), title=f"Request {{i}} for data",
        description="Some data, please.", publisher=rng.choice(pubs), status=status,
        received_on=received, clock_started_on=received, due_on=due, very_overdue_on=very,
        responded_on=responded, answered_on_time=(responded <= due) if responded else None,
        refusal_reason="cost_limit" if status == "refused" else ""))
DataRequest.objects.bulk_create(rows, batch_size=2000)
from django.db import connection
if connection.vendor == "postgresql":  # fresh planner statistics, as autovacuum would give
    connection.cursor().execute("ANALYZE")
print(DataRequest.objects.count(), "data requests")
"""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True
    )


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer {url}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url(args.db, Path(tmp)),
            "PYTHONPATH": str(ROOT),
        }
        prepare(env, args.requests)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{PORT}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{PORT}"
            wait_until_up(base + "/bench/hello")
            scenarios = {
                "hello": ["/bench/hello"],
                "register": [
                    "/data-requests/",
                    "/data-requests/?page=40",
                    "/data-requests/?status=refused",
                    "/data-requests/?publisher=publisher-07&page=2",
                    "/data-requests/?status=overdue",
                ],
                "api_list": [
                    "/api/v1/data-requests",
                    "/api/v1/data-requests?offset=5000&limit=50",
                    "/api/v1/data-requests?status=not_held&publisher=publisher-03",
                ],
                "statistics": ["/data-requests/statistics/"],
            }
            for paths in scenarios.values():  # every URL must work before we time it
                for path in paths:
                    wait_until_up(base + path)
            results = {
                name: run_load("127.0.0.1", PORT, paths, clients=20, seconds=args.seconds)
                for name, paths in scenarios.items()
            }
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    hello_rps = results["hello"].rps
    limits = {"register": 50, "api_list": 50, "statistics": 200}
    report = {
        "benchmark": "data-requests",
        "database": args.db,
        "data_requests": args.requests,
        "server": f"gunicorn, {args.workers} sync workers",
        "clients": 20,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_at_end": os.getloadavg(),
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": {name: asdict(result) for name, result in results.items()},
        "targets": {
            name: {
                f"p95_under_{limit}ms": results[name].p95_ms < limit,
                "rps_ratio_to_hello": round(results[name].rps / hello_rps, 3),
                "no_errors": results[name].errors == 0,
            }
            for name, limit in limits.items()
        },
    }
    out = ROOT / "bench" / "results" / f"data-requests-{args.db}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["results"], indent=2))
    print(json.dumps(report["targets"], indent=2))


if __name__ == "__main__":
    main()
