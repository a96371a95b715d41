"""Staff import of real pabulib files: all or nothing, errors with section and line."""

from pathlib import Path

import pytest

from bigsociety.budgeting.models import Ballot, Project
from bigsociety.budgeting.services.counting import budget_count
from bigsociety.budgeting.services.pabulib import process_import_pb

from .factories import officer

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "pabulib"


def test_a_real_cumulative_file_imports_and_greedy_matches_the_official_selection():
    text = (DATA / "Poland_Czestochowa_2024_Rakow.pb").read_text()
    process = process_import_pb(text=text, acting_user=officer())
    assert (process.ballot_kind, process.rule, process.total_points) == ("cumulative", "greedy", 10)
    assert Project.objects.filter(budget__process=process).count() == 23
    assert Ballot.objects.filter(budget__process=process).count() == 1777
    budget = process.budgets.get()
    count = budget_count(budget=budget, acting_user=officer())
    official = {
        line.split(";")[0]
        for line in text.split("PROJECTS\n")[1].split("VOTES\n")[0].splitlines()[1:]
        if line.endswith(";1")
    }
    funded = set(Project.objects.filter(pk__in=count.funded).values_list("reference", flat=True))
    assert funded == official
