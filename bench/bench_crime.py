"""Crime benchmark: import speed and memory, the police API at a dense point, the area page.

Generates a synthetic national month (or year) in the exact bulk layouts (bench/gen_police.py:
500,000 street crimes a month over England and Wales, plus outcomes), then for each database:

* imports it with the real importer (``import_paths``) in a fresh process: rows/s and the
  process's peak resident memory (wait4 ru_maxrss);
* times ``crimes-street/all-crime`` at a dense central-London point for the latest month and
  the 12-month neighbourhood page (Django test client in-process, after a warm-up): p50/p95;
* in the same run, times DuckDB just reading the same CSVs (the floor).

Targets (issue): import >= 100,000 rows/s on PostgreSQL and >= 50,000 on SQLite, peak memory
under 500 MB; crimes-street p95 < 50 ms; neighbourhood page p95 < 100 ms.

    .venv/bin/python bench/bench_crime.py [--months 1] [--rows 500000] [--db sqlite,postgres]

Writes bench/results/crime.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DENSE_POINT = (51.5074, -0.1278)  # Trafalgar Square
TARGETS = {
    "import_rows_per_s_postgres": 100_000,
    "import_rows_per_s_sqlite": 50_000,
    "peak_memory_mb": 500,
    "crimes_street_p95_ms": 50,
    "neighbourhood_page_p95_ms": 100,
}

IMPORT_SCRIPT = """
import json, sys, time, django
django.setup()
from pathlib import Path
from bigsociety.crime.services import import_paths
started = time.perf_counter()
report = import_paths(paths=[Path(sys.argv[1])])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": report.rows, "ok": report.ok,
                  "files": len(report.files),
                  "errors": [e for f in report.files for e in f.errors][:5]}))
"""

QUERY_SCRIPT = """
import json, sys, time, statistics, django
django.setup()
from django.test import Client
from bigsociety.crime.selectors import latest_month
from bigsociety.crime.bulk import month_str
month = month_str(latest_month())
lat, lng, hood, n = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
client = Client(HTTP_HOST="127.0.0.1")

def timed(url):
    times, size = [], 0
    for i in range(n + 5):
        t = time.perf_counter()
        r = client.get(url)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        assert r.status_code == 200, (url, r.status_code)
        if i >= 5:
            times.append((time.perf_counter() - t) * 1000)
        size = len(body)
    times.sort()
    return {"url": url, "requests": n, "p50_ms": round(times[len(times) // 2], 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2), "bytes": size}

api = timed(f"/api/police/crimes-street/all-crime?lat={lat}&lng={lng}&date={month}")
api["crimes"] = len(json.loads(Client(HTTP_HOST="127.0.0.1").get(api["url"]).content))
page = timed(f"/crime/{hood}/?month={month}")
print(json.dumps({"crimes_street": api, "neighbourhood_page": page}))
"""


def _run(cmd: list[str], env: dict[str, str]) -> tuple[str, float]:
    """Run a child; return its stdout and its peak resident memory in MB."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-3000:]}")
    return out, usage.ru_maxrss / 1024


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench_crime.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_crime WITH (FORCE)")
        conn.execute("CREATE DATABASE bench_crime")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/bench_crime"


def duckdb_floor(data: Path) -> dict[str, float]:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    street = con.execute(
        f"SELECT count(*) FROM read_csv('{data}/*/*-street.csv', header=true, all_varchar=true)"  # noqa: S608
    ).fetchone()[0]
    outcomes = con.execute(
        f"SELECT count(*) FROM read_csv('{data}/*/*-outcomes.csv', header=true, all_varchar=true)"  # noqa: S608
    ).fetchone()[0]
    seconds = time.perf_counter() - started
    rows = street + outcomes
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}


def bench_db(kind: str, data: Path, requests: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url(kind, Path(tmp)),
            "PYTHONPATH": str(ROOT),
        }
        py = sys.executable
        _run([py, "manage.py", "migrate", "-v0"], env)
        _run(
            [
                py,
                "-c",
                "import django; django.setup(); from bigsociety.places import demo; demo.seed()",
            ],
            env,
        )
        out, peak_mb = _run([py, "-c", IMPORT_SCRIPT, str(data)], env)
        result = json.loads(out.strip().splitlines()[-1])
        if not result["ok"]:
            raise SystemExit(f"import failed: {result}")
        # a second import of the same files replaces every force-month (idempotent)
        out2, peak2 = _run([py, "-c", IMPORT_SCRIPT, str(data)], env)
        again = json.loads(out2.strip().splitlines()[-1])
        hood = "abbey-green"
        qout, _ = _run(
            [py, "-c", QUERY_SCRIPT, str(DENSE_POINT[0]), str(DENSE_POINT[1]), hood, str(requests)],
            env,
        )
        queries = json.loads(qout.strip().splitlines()[-1])
        if kind == "postgresql":
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS bench_crime WITH (FORCE)")
    return {
        "rows": result["rows"],
        "files": result["files"],
        "import_seconds": round(result["seconds"], 2),
        "import_rows_per_s": round(result["rows"] / result["seconds"]),
        "peak_memory_mb": round(peak_mb, 1),
        "reimport_seconds": round(again["seconds"], 2),
        "reimport_rows_per_s": round(again["rows"] / again["seconds"]),
        "reimport_peak_memory_mb": round(peak2, 1),
        **queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--rows", type=int, default=500_000, help="street crimes per month")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--data", type=Path, help="reuse generated files in this folder")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    from bench.gen_police import generate

    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or Path(tmp) / "police"
        if not (data.exists() and any(data.iterdir())):
            import datetime as dt

            generate(data, args.months, args.rows, seed=1, first=dt.date(2024, 1, 1))
        floor = duckdb_floor(data)
        results: dict[str, object] = {}
        for kind in args.db.split(","):
            kind = "postgresql" if kind.startswith("postgres") else kind
            print(f"== {kind}", flush=True)
            results[kind] = bench_db(kind, data, args.requests)
            print(json.dumps(results[kind], indent=2), flush=True)

    document = {
        "benchmark": "crime",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "scale": {"months": args.months, "street_rows_per_month": args.rows},
        "duckdb_read_floor": floor,
        "targets": TARGETS,
        "results": results,
        "notes": [
            "rows = street + outcomes rows imported; time is import_paths only (no process start).",
            "latency is measured in-process with Django's test client (full middleware and view, "
            "no network); the dense point is Trafalgar Square for the latest month.",
            "peak memory is the importing process's maximum resident set size (wait4).",
        ],
    }
    out = ROOT / "bench" / "results" / "crime.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
