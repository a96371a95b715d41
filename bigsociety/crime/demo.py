"""Demo data: the real City of London police sample (it falls inside the demo area)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .models import ForceMonth
from .services import import_paths

SAMPLE = Path(__file__).parent / "tests" / "fixtures" / "police"


def seed(*, stdout: Any = None) -> None:
    """Import the sample once (idempotent: force-months already held are left alone)."""
    if ForceMonth.objects.filter(force__slug="city-of-london").exists():
        return
    report = import_paths(paths=[SAMPLE])
    if stdout is not None:
        stdout.write(f"crime: {report.rows} rows from {len(report.files)} police files\n")
