"""Shared fixtures: the real City of London sample and the demo places it falls in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "police"


@pytest.fixture
def police_dir(tmp_path: Path) -> Path:
    """A writable copy of the bulk-layout sample folder."""
    target = tmp_path / "police"
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture
def demo_places(db):
    from bigsociety.places import demo

    demo.seed()


@pytest.fixture
def imported(demo_places, police_dir):
    from bigsociety.crime.services import import_paths

    report = import_paths(paths=[police_dir])
    assert report.ok, report.as_dict()
    return report
