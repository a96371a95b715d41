"""Foundation benchmark: the home page and the organisation directory with 10,000
organisations, under gunicorn with 20 concurrent clients, against a bare "hello" view
measured in the same run.

Targets (issue 2): p95 under 50 ms on PostgreSQL; at least half the hello view's requests/s.

    .venv/bin/python bench/bench_foundation.py [--db postgres|sqlite] [--seconds 10]
        [--page-cache-seconds 60]

Writes bench/results/foundation-<db>.json; with ``--page-cache-seconds 0``,
foundation-<db>-uncached.json (every request renders its page, as signed-in people's do).
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
PORT = 8765


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_foundation WITH (FORCE)")
        conn.execute("CREATE DATABASE bench_foundation")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/bench_foundation"


def prepare(env: dict[str, str], organisations: int) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    code = f"""
import random
from bigsociety.places import demo as places_demo
from bigsociety.content import demo as content_demo
from bigsociety.places.models import Place
from bigsociety.organisations.models import Organisation
places_demo.seed()
content_demo.seed()
kinds = [k for k, _ in Organisation.Kind.choices]
rng = random.Random(1)
hoods = list(Place.objects.filter(kind="neighbourhood"))
orgs = Organisation.objects.bulk_create([
    Organisation(name=f"Organisation {{i:05d}} of Kingsbridge", slug=f"organisation-{{i:05d}}",
                 kind=kinds[i % len(kinds)], description="A community organisation.",
                 verified=bool(i % 3))
    for i in range({organisations})], batch_size=2000)
Through = Organisation.places.through
Through.objects.bulk_create([Through(organisation_id=o.pk, place_id=rng.choice(hoods).pk)
                             for o in orgs], batch_size=5000)
print(Organisation.objects.count(), "organisations")
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
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--page-cache-seconds",
        type=int,
        default=60,
        help="ANONYMOUS_PAGE_CACHE_SECONDS for the server (0: every request renders its page)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url(args.db, Path(tmp)),
            "PYTHONPATH": str(ROOT),
            "ANONYMOUS_PAGE_CACHE_SECONDS": str(args.page_cache_seconds),
        }
        prepare(env, args.organisations)
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
                "home": ["/"],
                "directory": [
                    "/organisations/",
                    "/organisations/?page=40",
                    "/organisations/?kind=charity",
                    "/organisations/?q=Organisation+0042",
                    "/organisations/?kind=library&page=2",
                ],
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
    report = {
        "benchmark": "foundation",
        "database": args.db,
        "organisations": args.organisations,
        "server": f"gunicorn, {args.workers} sync workers",
        "clients": 20,
        "anonymous_page_cache_seconds": args.page_cache_seconds,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": {name: asdict(result) for name, result in results.items()},
        "targets": {
            name: {
                "p95_under_50ms": results[name].p95_ms < 50,
                "rps_ratio_to_hello": round(results[name].rps / hello_rps, 3),
                "at_least_half_of_hello": results[name].rps >= hello_rps / 2,
                "no_errors": results[name].errors == 0,
            }
            for name in ("home", "directory")
        },
    }
    suffix = "" if args.page_cache_seconds else "-uncached"
    out = ROOT / "bench" / "results" / f"foundation-{args.db}{suffix}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["results"], indent=2))
    print(json.dumps(report["targets"], indent=2))


if __name__ == "__main__":
    main()
