"""Shared machinery benchmark: the statutory calendar and the streaming CSV import.

* calendar: microseconds per call of add_working_days(d, 20), add_working_days(d, 250),
  working_days_between over a year and is_working_day, on random days 2000-2040.
* CSV import: rows per second reading and validating only (the framework's own cost), and
  importing a generated file into a real table (AuditEntry, via
  bulk_create_rows, batches of 2,000), the time to reject the same file with one bad last row
  (everything is read and rolled back), and the peak Python memory of an import (tracemalloc),
  for two file sizes: a bounded-memory import peaks at about the same for both.

    .venv/bin/python bench/bench_common.py [--db sqlite|postgres] [--rows 100000]

Writes bench/results/common-<db>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
import timeit
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_common WITH (FORCE)")
        conn.execute("CREATE DATABASE bench_common")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/bench_common"


def bench_calendar() -> dict[str, float]:
    from bigsociety.common.calendar import (
        add_working_days,
        is_working_day,
        working_days_between,
    )

    rng = random.Random(1)
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(41 * 365)) for _ in range(5000)]
    for year in range(1999, 2043):  # warm the per-year cache, as a running server has it
        add_working_days(dt.date(year, 1, 1), 1)

    def per_call(fn) -> float:
        seconds = timeit.timeit(lambda: [fn(d) for d in days], number=5)
        return round(seconds / (5 * len(days)) * 1e6, 2)

    return {
        "add_working_days_20_us": per_call(lambda d: add_working_days(d, 20)),
        "add_working_days_250_us": per_call(lambda d: add_working_days(d, 250)),
        "working_days_between_1_year_us": per_call(
            lambda d: working_days_between(d, d + dt.timedelta(days=365))
        ),
        "is_working_day_us": per_call(is_working_day),
    }


def csv_file(rows: int, *, bad_last: bool = False) -> bytes:
    lines = ["name,number,size"]
    lines += [f"row {i},{2 * i},{i % 10}" for i in range(rows)]
    if bad_last:
        lines[-1] = "bad,3,1"
    return ("\n".join(lines) + "\n").encode()


def bench_import(rows: int) -> dict[str, float]:
    from bigsociety.common.csvimport import (
        Column,
        ImportRejected,
        bulk_create_rows,
        parse_float,
        parse_int,
        run_import,
    )
    from bigsociety.common.models import AuditEntry

    def even(text: str) -> int:
        value = parse_int()(text)
        if value % 2:
            from bigsociety.common.csvimport import RowError

            raise RowError(f"{value} is odd")
        return value

    columns = [
        Column("name"),
        Column("number", parse=even),
        Column("size", parse=parse_float(0, 10)),
    ]
    handle = bulk_create_rows(
        AuditEntry,
        lambda row: AuditEntry(action="bench", target_type="bench", target_id=row.values["name"]),
    )

    def run(data: bytes) -> None:
        run_import(data, columns, handle_batch=handle)

    good = csv_file(rows)
    start = time.perf_counter()
    run_import(good, columns, handle_batch=lambda batch: None)  # reading and validating only
    parse_seconds = time.perf_counter() - start
    start = time.perf_counter()
    run(good)
    seconds = time.perf_counter() - start
    assert AuditEntry.objects.filter(action="bench").count() == rows
    AuditEntry.objects.filter(action="bench").delete()

    bad = csv_file(rows, bad_last=True)
    start = time.perf_counter()
    with contextlib.suppress(ImportRejected):
        run(bad)
    rejected_seconds = time.perf_counter() - start
    assert not AuditEntry.objects.filter(action="bench").exists()

    peaks = {}
    for size in (rows // 4, rows):
        data = csv_file(size)
        tracemalloc.start()
        run(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        peaks[size] = round(peak / 1024 / 1024, 1)
        AuditEntry.objects.filter(action="bench").delete()
    return {
        "rows": rows,
        "import_seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "validate_only_rows_per_second": round(rows / parse_seconds),
        "reject_seconds": round(rejected_seconds, 2),
        "file_mb": round(len(good) / 1024 / 1024, 1),
        # The file itself is held as bytes here; the import's own use is the difference.
        f"peak_mib_{rows // 4}_rows": peaks[rows // 4],
        f"peak_mib_{rows}_rows": peaks[rows],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["DATABASE_URL"] = database_url(args.db, Path(workdir))
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
        os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
        os.environ["DJANGO_DEBUG"] = "false"  # no query log: production conditions
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        result = {
            "benchmark": "common",
            "db": args.db,
            "python": platform.python_version(),
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
            "calendar": bench_calendar(),
            "csv_import": bench_import(args.rows),
        }
        from django.db import connection

        connection.close()
    out = ROOT / "bench" / "results" / f"common-{args.db}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
