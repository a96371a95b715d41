"""Demo participatory budgeting for Kingsbridge (local use only; run by ``seed_demo``).

* "Kingsbridge Decides 2026": voting open, an area-wide budget and one per ward, twelve
  projects, an approval ballot counted with the Method of Equal Shares (add-one completion).
  resident@demo.invalid is on the list of voters (by email), so signing in as them lets you vote.
* "PB Chicago 29th Ward 2021": a real pabulib election (see demo_data/README.md), imported,
  counted with the Method of Equal Shares and published, so the results page shows a real
  round-by-round count.

Everything goes through the services (audited, as the engagement officer) and is idempotent:
each process is made once, found by its slug afterwards.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Phase, Process, Rule
from .services.counting import process_count
from .services.eligibility import electors_import
from .services.pabulib import process_import_pb
from .services.processes import budget_save, process_create, process_transition
from .services.projects import project_save

OFFICER_EMAIL = "engagement.officer@demo.invalid"
VOTER_EMAILS = ["resident@demo.invalid", "member@demo.invalid", "orgadmin@demo.invalid"]
OPEN_SLUG = "kingsbridge-decides-2026"
# The slug process_import_pb makes from the file's META (unit, instance, subunit).
RESULTS_SLUG = "stanford-dataset-pb-chicago-29th-ward-2021-vote-approvals"
DEMO_FILE = (
    Path(__file__).resolve().parent
    / "demo_data"
    / ("US_Stanford_Dataset_PB_Chicago_29th_Ward_2021_vote_approvals.pb")
)

AREA_WIDE = (
    "Kingsbridge-wide",
    150_000,
    [
        ("Riverside cycle path", 60_000, "Transport", "A lit, two-way cycle path along the river."),
        (
            "Free Wi-Fi in the library",
            15_000,
            "Community",
            "Faster Wi-Fi and ten laptops to borrow.",
        ),
        ("Tree planting on main roads", 45_000, "Environment", "Two hundred street trees."),
        ("Youth music studio", 35_000, "Young people", "A recording studio in the youth centre."),
    ],
)
WARD_PROJECTS = {
    "Abbey Fields": [
        ("Play area refurbishment", 28_000, "Parks", "New swings and a wheelchair roundabout."),
        ("Benches on Priory Lane", 6_000, "Streets", "Eight benches with armrests."),
    ],
    "Bellfounders": [
        ("Community fridge", 9_000, "Community", "A shared fridge against food waste."),
        ("Guild Gardens allotments", 24_000, "Environment", "Twelve new raised beds."),
    ],
    "Cheapside Market": [
        ("Market square lighting", 22_000, "Streets", "Warm white lighting for evening markets."),
        ("Pop-up repair café", 7_500, "Community", "Monthly repair sessions for a year."),
    ],
    "Dockside": [
        ("Harbourside outdoor gym", 26_000, "Sport", "Outdoor fitness equipment by the water."),
        ("Rope Walk mural", 8_000, "Arts", "A mural painted with local schools."),
    ],
}
WARD_BUDGET = 40_000


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def seed(*, stdout: Any = None) -> None:
    from bigsociety.accounts.models import User
    from bigsociety.places.models import Place

    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    authority = Place.objects.filter(kind="local_authority", name="Kingsbridge").first()
    if officer is None or authority is None:
        _say(stdout, "Budgeting: skipped (seed the demo area and accounts first).")
        return
    _seed_open_process(officer=officer, authority=authority)
    _seed_results_process(officer=officer)
    _say(
        stdout,
        f"Budgeting: '{OPEN_SLUG}' open for voting (resident@demo.invalid may vote); "
        f"'{RESULTS_SLUG}' counted with the Method of Equal Shares and published.",
    )


@transaction.atomic
def _seed_open_process(*, officer: Any, authority: Any) -> None:
    from bigsociety.places.models import Place

    if Process.objects.filter(slug=OPEN_SLUG).exists():
        return
    now = timezone.now()
    process = process_create(
        acting_user=officer,
        title="Kingsbridge Decides 2026",
        summary=(
            "£310,000 for ideas from Kingsbridge residents: one budget for the whole borough and "
            "one for each ward. Vote for as many projects as you like in each budget."
        ),
        place=authority,
        ballot_kind="approval",
        min_projects=1,
        rule=Rule.MES_ADD1,
        eligibility_method="list_or_code",
        voting_closes_at=now + dt.timedelta(days=28),
        results_on=(now + dt.timedelta(days=35)).date(),
    )
    assert process.slug == OPEN_SLUG, process.slug
    name, amount, projects = AREA_WIDE
    area = budget_save(process=process, acting_user=officer, name=name, amount=amount)
    budgets = [(area, projects)]
    wards = {w.name: w for w in Place.objects.filter(kind="ward", parent=authority)}
    for ward_name, ward_projects in WARD_PROJECTS.items():
        ward = wards.get(ward_name)
        if ward is None:
            continue
        budget = budget_save(
            process=process, acting_user=officer, name=ward_name, amount=WARD_BUDGET, ward=ward
        )
        budgets.append((budget, ward_projects))
    for budget, items in budgets:
        for title, cost, category, description in items:
            project_save(
                budget=budget,
                acting_user=officer,
                title=title,
                cost=cost,
                category=category,
                description=description,
            )
    electors_import(process=process, text="\n".join(VOTER_EMAILS), acting_user=officer)
    process_transition(process=process, target=Phase.VOTING, acting_user=officer)


@transaction.atomic
def _seed_results_process(*, officer: Any) -> None:
    if Process.objects.filter(slug=RESULTS_SLUG).exists():
        return
    process = process_import_pb(
        text=DEMO_FILE.read_text(encoding="utf-8"), acting_user=officer, rule=Rule.MES_ADD1
    )
    process_count(process=process, acting_user=officer)
    process_transition(process=process, target=Phase.RESULTS, acting_user=officer)
