"""A small closed-loop HTTP load generator: N clients, each with a keep-alive connection,
requesting URLs in turn for a fixed time. Reports requests per second and latency percentiles.

Only ever aimed at 127.0.0.1 (the server the benchmark itself starts).
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    url: str
    clients: int
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_load(
    host: str,
    port: int,
    paths: list[str],
    *,
    clients: int = 20,
    seconds: float = 10.0,
    warmup: float = 1.0,
) -> LoadResult:
    assert host in ("127.0.0.1", "localhost", "::1"), "load is only sent to this machine"
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        i = index
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            t1 = time.perf_counter()
            if t0 >= start_at:
                if ok:
                    latencies[index].append((t1 - t0) * 1000)
                else:
                    errors[index] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = [v for per in latencies for v in per]
    return LoadResult(
        url=paths[0] if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)",
        clients=clients,
        seconds=seconds,
        requests=len(merged),
        errors=sum(errors),
        rps=round(len(merged) / seconds, 1),
        p50_ms=round(statistics.median(merged), 2) if merged else float("nan"),
        p95_ms=round(_percentile(merged, 0.95), 2),
        p99_ms=round(_percentile(merged, 0.99), 2),
        max_ms=round(max(merged), 2) if merged else float("nan"),
    )
