"""``manage.py pb_results``: the pure function it wraps, its ``handle``, and a real run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest

from bigsociety.budgeting.counting import PbFormatError
from bigsociety.budgeting.counting.report import results_for_file

from .test_counting_pabulib import FIXTURES, GOOD

ROOT = Path(__file__).resolve().parents[3]
SMALL = FIXTURES / "Poland_Gdynia_2021_Babie_Doly__small.pb"


def test_json_has_the_rule_selection_in_order_spent_and_budget():
    data = json.loads(results_for_file(SMALL))
    assert data["rule"] == "greedy-no-skip"
    assert data["file_rule"] == "greedy-no-skip"
    assert data["selected"] == ["BAD/0019", "BAD/0008"]
    assert (data["spent"], data["budget"]) == (19400, 24426)
    assert data["fairness"]["voters"] == 516
    assert [r["decision"] for r in data["rounds"]] == ["funded", "funded", "stopped"]


@pytest.mark.parametrize(
    "rule",
    [
        "greedy",
        "greedy-no-skip",
        "greedy-threshold",
        "mes",
        "mes-add1",
        "mes-add1-comparison",
        "phragmen",
    ],
)
def test_every_rule_can_be_asked_for(rule):
    data = json.loads(results_for_file(SMALL, rule=rule))
    assert data["rule"] == rule
    assert data["spent"] <= data["budget"]


def test_text_format():
    text = results_for_file(SMALL, rule="mes-add1", fmt="text")
    assert text.startswith("Rule: mes-add1 (the file says: greedy-no-skip)\n")
    assert "Funded (3), in the order they were funded:" in text
    assert "EJR (cost): holds" in text


def test_a_malformed_file_is_refused(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(GOOD.replace("b;2\n", "b;7\n"), encoding="utf-8")
    with pytest.raises(PbFormatError, match="VOTES line 16: voter b: unknown project 7"):
        results_for_file(bad)


def test_handle_prints_and_refuses_without_django_settings(tmp_path):
    from django.core.management.base import CommandError

    from bigsociety.budgeting.management.commands.pb_results import Command

    out = StringIO()
    Command(stdout=out).handle(file=str(SMALL), rule="mes", fmt="json")
    assert json.loads(out.getvalue())["rule"] == "mes"
    bad = tmp_path / "bad.pb"
    bad.write_text(GOOD.replace("1;60;", "1;x;"), encoding="utf-8")
    with pytest.raises(CommandError, match="PROJECTS line 11"):
        Command(stdout=out).handle(file=str(bad), rule=None, fmt="json")


def test_manage_py_pb_results_runs():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "pb_results", str(SMALL), "--rule", "mes-add1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["selected"] == ["BAD/0019", "BAD/0005", "BAD/0007"]
