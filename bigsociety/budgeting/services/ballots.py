"""Ballots: validating a selection against the frozen ballot, casting online, and paper ballots
keyed twice by two officers.

One ballot per elector per budget is the database constraint
``pb_one_ballot_per_elector_per_budget``; casting also locks the elector's roll entry, so
concurrent submissions by the same person are applied one after the other (the last wins,
as a changed ballot should) and never create a second ballot. An online ballot is written
with one upsert on that constraint (``_upsert_online_ballot``), which on its own also keeps
one ballot and counts every change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bigsociety.common.audit import audit_record

from ..eligibility import AGE_BANDS, age_band, secret_hash
from ..models import (
    Ballot,
    BallotKind,
    Budget,
    Count,
    Elector,
    PaperBallot,
    PaperBallotEntry,
    Phase,
    Process,
    Project,
    VotingMethod,
    WardRule,
)
from . import require_officer
from .eligibility import check_can_vote, elector_for_voting


def ballot_errors(
    *,
    process: Process,
    budget: Budget,
    selection: list[int],
    points: list[int] | None,
    projects: dict[int, Project] | None = None,
) -> list[str]:
    """Every reason this selection is not a valid ballot in ``budget`` (empty when valid)."""
    if projects is None:
        projects = {p.pk: p for p in budget.projects.on_ballot()}
    errors: list[str] = []
    kind = process.ballot_kind
    if len(set(selection)) != len(selection):
        errors.append(_("Each project can only be chosen once."))
    unknown = [pk for pk in selection if pk not in projects]
    if unknown:
        errors.append(_("Some of the projects chosen are not on this ballot."))
        return errors
    n = len(selection)
    if kind == BallotKind.CHOOSE_ONE:
        if n != 1:
            errors.append(_("Choose exactly one project."))
        return errors
    if kind == BallotKind.RANKED:
        k = process.rank_k or 1
        if n < max(1, min(process.min_projects, k)):
            errors.append(
                _("Rank at least %(n)s projects.") % {"n": max(1, min(process.min_projects, k))}
            )
        if n > k:
            errors.append(_("Rank at most %(k)s projects; you ranked %(n)s.") % {"k": k, "n": n})
        return errors
    if n < process.min_projects:
        errors.append(
            _("Choose at least %(min)s projects; you chose %(n)s.")
            % {"min": process.min_projects, "n": n}
        )
    if process.max_projects is not None and n > process.max_projects:
        errors.append(
            _("Choose at most %(max)s projects; you chose %(n)s.")
            % {"max": process.max_projects, "n": n}
        )
    if kind == BallotKind.KNAPSACK:
        cap = min(process.cost_cap or budget.amount, budget.amount)
        total = sum(projects[pk].cost for pk in selection)
        if total > cap:
            errors.append(
                _("Your choices cost £%(total)s, which is over the £%(cap)s you can spend.")
                % {"total": f"{total:,}", "cap": f"{cap:,}"}
            )
    if kind == BallotKind.CUMULATIVE:
        points = points or []
        if len(points) != n:
            errors.append(_("Give each chosen project a number of points."))
        elif any((not isinstance(p, int)) or p < 1 for p in points):
            errors.append(_("Each chosen project needs at least 1 point."))
        elif sum(points) > (process.total_points or 0):
            errors.append(
                _("You gave %(used)s points but have %(total)s to share out.")
                % {"used": sum(points), "total": process.total_points}
            )
    return errors


def home_ward(user: Any) -> Any:
    node = getattr(user, "home_place", None)
    while node is not None and node.kind != "ward":
        node = node.parent
    return node


def _ward_rule_error(
    *, process: Process, budget: Budget, elector: Elector, user: Any
) -> str | None:
    if process.ward_rule != WardRule.HOME_PLUS or budget.ward_id is None:
        return None
    home = home_ward(user) if user is not None else elector.ward
    if home is None:
        return _("Add your home postcode to your profile to vote in a ward's budget.")
    if budget.ward_id == home.pk:
        return None
    others = (
        Ballot.objects.filter(elector=elector, budget__process=process, budget__ward__isnull=False)
        .exclude(budget__ward=home)
        .exclude(budget=budget)
        .count()
    )
    if others >= process.other_wards_allowed:
        return _(
            "You can vote in your home ward (%(home)s) and %(n)s other ward(s). You have "
            "already voted in %(n)s other ward(s); remove one of those ballots first."
        ) % {"home": home.name, "n": process.other_wards_allowed}
    return None


def _normalise(selection: Any, points: Any) -> tuple[list[int], list[int]]:
    try:
        ids = [int(x) for x in selection]
        pts = [int(x) for x in (points or [])]
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("The ballot could not be read.")) from exc
    return ids, pts


def _save_ballot(
    *,
    budget: Budget,
    elector: Elector,
    method: str,
    selection: list[int],
    points: list[int],
    voter_ward: Any,
    band: str,
) -> tuple[Ballot, bool]:
    """Create or change the elector's ballot. The caller holds the lock on the elector's roll
    entry, which serialises every write of that elector's ballots, so the ballot row itself
    needs no lock (and the unique constraint still stops a second ballot)."""
    ballot = Ballot.objects.filter(budget=budget, elector=elector).first()
    if ballot is None:
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(
                    budget=budget,
                    elector=elector,
                    voting_method=method,
                    selection=selection,
                    points=points,
                    voter_ward=voter_ward,
                    age_band=band,
                )
            return ballot, True
        except IntegrityError:
            ballot = Ballot.objects.select_for_update().get(budget=budget, elector=elector)
    if ballot.voting_method != method:
        raise ValidationError(_("A ballot cast on paper cannot be changed online."))
    ballot.budget = budget  # already loaded: str(ballot) in the audit needs no query
    ballot.selection, ballot.points = selection, points
    ballot.voter_ward, ballot.age_band = voter_ward, band
    ballot.revision += 1
    ballot.save(
        update_fields=["selection", "points", "voter_ward", "age_band", "revision", "updated_at"]
    )
    return ballot, False


_UPSERT_COLUMNS = (
    "created_at",
    "updated_at",
    "budget_id",
    "elector_id",
    "voting_method",
    "selection",
    "points",
    "voter_ward_id",
    "age_band",
    "revision",
)
_UPSERT_CHANGED = ("updated_at", "selection", "points", "voter_ward_id", "age_band")


def _upsert_sql(qn: Any) -> str:
    """The upsert statement (identifiers from the model, every value a parameter)."""
    table = qn(Ballot._meta.db_table)
    columns = ", ".join(qn(c) for c in _UPSERT_COLUMNS)
    marks = ", ".join(["%s"] * len(_UPSERT_COLUMNS))
    changed = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in _UPSERT_CHANGED)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 - placeholders only
        f"ON CONFLICT ({qn('budget_id')}, {qn('elector_id')}) DO UPDATE SET {changed}, "
        f"{qn('revision')} = {table}.{qn('revision')} + 1 "
        f"WHERE {table}.{qn('voting_method')} = EXCLUDED.{qn('voting_method')} "
        f"RETURNING {qn('id')}, {qn('revision')}, {qn('created_at')}"
    )


_UPSERT_SQL: dict[str, str] = {}  # by database vendor


def _upsert_online_ballot(
    *,
    budget: Budget,
    elector: Elector,
    selection: list[int],
    points: list[int],
    voter_ward: Any,
    band: str,
) -> tuple[Ballot, bool]:
    """Cast or change the elector's online ballot in one statement: INSERT ... ON CONFLICT
    (budget, elector) DO UPDATE ... RETURNING (PostgreSQL and SQLite 3.35+). The unique
    constraint decides between a new ballot and a change, the revision is counted in the
    database (``revision + 1``), and a paper ballot is never overwritten (the update only
    applies to an internet ballot; otherwise no row comes back). A ballot is new exactly when
    its revision is 1: a change always makes it 2 or more."""
    sql = _UPSERT_SQL.get(connection.vendor)
    if sql is None:
        sql = _UPSERT_SQL[connection.vendor] = _upsert_sql(connection.ops.quote_name)
    now = timezone.now()
    values = (
        now,
        now,
        budget.pk,
        elector.pk,
        VotingMethod.INTERNET.value,
        selection,
        points,
        voter_ward.pk if voter_ward is not None else None,
        band,
        1,
    )
    fields = {f.attname: f for f in Ballot._meta.concrete_fields}
    params = [
        fields[c].get_db_prep_save(v, connection)
        for c, v in zip(_UPSERT_COLUMNS, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise ValidationError(_("A ballot cast on paper cannot be changed online."))
    pk, revision, created_at = row
    created_at = fields["created_at"].to_python(created_at)
    if created_at is not None and timezone.is_naive(created_at):
        created_at = timezone.make_aware(created_at, dt.UTC)
    ballot = Ballot(
        pk=pk,
        created_at=created_at,
        updated_at=now,
        budget=budget,
        elector=elector,
        voting_method=VotingMethod.INTERNET,
        selection=selection,
        points=points,
        voter_ward=voter_ward,
        age_band=band,
        revision=revision,
    )
    ballot._state.adding = False
    ballot._state.db = connection.alias
    return ballot, revision == 1


def _voting_open_or_raise(process: Process) -> None:
    if process.phase == Phase.VOTING and process.voting_is_open:
        return
    if process.phase in (Phase.CLOSED, Phase.RESULTS, Phase.DELIVERY) or (
        process.voting_closes_at and timezone.now() >= process.voting_closes_at
    ):
        raise ValidationError(
            _("Voting closed at %(when)s.")
            % {
                "when": timezone.localtime(process.voting_closes_at).strftime("%-d %B %Y %H:%M")
                if process.voting_closes_at
                else "?"
            }
        )
    raise ValidationError(_("Voting has not opened yet."))


def _locked_elector(*, process: Process, acting_user: Any) -> Elector:
    """The person's roll entry, locked for this transaction (one submission at a time per
    voter). One query for someone already on the roll; otherwise the entry is claimed first
    (list by email, or a general verification), or the refusal says why."""
    check_can_vote(process=process, user=acting_user)  # sign-in, phase and age: no query
    elector = Elector.objects.select_for_update().filter(process=process, user=acting_user).first()
    if elector is not None:
        return elector
    claimed = elector_for_voting(process=process, acting_user=acting_user)
    return Elector.objects.select_for_update().get(pk=claimed.pk)


@transaction.atomic
def ballot_cast(
    *,
    budget: Budget,
    acting_user: Any,
    selection: Any,
    points: Any = None,
    projects: dict[int, Project] | None = None,
) -> Ballot:
    """Cast or change the signed-in person's ballot in ``budget``. Refused, saying why, when
    voting is not open, the person is not eligible, or the ballot breaks the rules.

    ``projects`` (the budget's projects on the ballot, by id) may be passed by a caller that
    has already loaded them. Queries for someone on the roll casting or changing a ballot:
    lock the roll entry, the projects (unless given), one upsert of the ballot, the audit
    row."""
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to vote."))
    process = budget.process  # loaded with the budget by the views and the API
    _voting_open_or_raise(process)
    elector = _locked_elector(process=process, acting_user=acting_user)
    ids, pts = _normalise(selection, points)
    if projects is None:
        on_ballot = budget.projects.on_ballot().only("id", "budget_id", "reference", "cost")
        projects = {p.pk: p for p in on_ballot}
    errors = ballot_errors(
        process=process, budget=budget, selection=ids, points=pts, projects=projects
    )
    if reason := _ward_rule_error(
        process=process, budget=budget, elector=elector, user=acting_user
    ):
        errors.append(reason)
    if errors:
        raise ValidationError({"selection": errors})
    if process.ballot_kind != BallotKind.CUMULATIVE:
        pts = []
    band = age_band(acting_user.age_on(timezone.localdate()))
    ballot, created = _upsert_online_ballot(
        budget=budget,
        elector=elector,
        selection=ids,
        points=pts,
        voter_ward=home_ward(acting_user),
        band=band,
    )
    # The audit log records that a ballot was cast or changed, never how the person voted.
    audit_record(
        actor=acting_user,
        action="budgeting.ballot.cast" if created else "budgeting.ballot.change",
        target=ballot,
        changes={"budget": budget.pk, "revision": ballot.revision},
    )
    return ballot


@transaction.atomic
def ballot_withdraw(*, budget: Budget, acting_user: Any) -> None:
    """Remove the person's online ballot in one budget while voting is open."""
    process = Process.objects.get(pk=budget.process_id)
    if not process.voting_is_open:
        raise ValidationError(_("Voting is not open."))
    elector = Elector.objects.select_for_update().filter(process=process, user=acting_user).first()
    ballot = (
        Ballot.objects.filter(
            budget=budget, elector=elector, voting_method=VotingMethod.INTERNET
        ).first()
        if elector
        else None
    )
    if ballot is None:
        raise ValidationError(_("You have no ballot in this budget."))
    audit_record(
        actor=acting_user,
        action="budgeting.ballot.withdraw",
        target=ballot,
        changes={"budget": budget.pk},
    )
    ballot.delete()


# --- paper ballots ----------------------------------------------------------------------------


def _paper_checks(
    *,
    process: Process,
    budget: Budget,
    voter_secret: str,
    selection: list[int],
    points: list[int],
    band: str,
) -> tuple[str, Elector]:
    if process.phase not in (Phase.VOTING, Phase.CLOSED):
        raise ValidationError(_("Paper ballots are entered while voting is open or being counted."))
    if band and band not in AGE_BANDS:
        raise ValidationError({"age_band": [_("Choose an age band from the list.")]})
    digest = secret_hash(process=process, raw=voter_secret)
    elector = Elector.objects.filter(process=process, secret_hash=digest).first()
    if elector is None:
        raise ValidationError(
            {"voter_code": [_("That voting code or identifier is not on the roll.")]}
        )
    errors = ballot_errors(process=process, budget=budget, selection=selection, points=points)
    if errors:
        raise ValidationError({"selection": errors})
    return digest, elector


@transaction.atomic
def paper_ballot_enter(
    *,
    budget: Budget,
    paper_number: str,
    voter_secret: str,
    selection: Any,
    acting_user: Any,
    points: Any = None,
    age_band: str = "",
) -> PaperBallot:
    """Key one paper ballot. The first officer's entry waits for a second officer; when the
    second entry matches, the ballot counts; when it differs, the paper is flagged."""
    require_officer(acting_user)
    process = Process.objects.get(pk=budget.process_id)
    paper_number = paper_number.strip()
    if not paper_number:
        raise ValidationError({"paper_number": [_("Enter the ballot paper number.")]})
    ids, pts = _normalise(selection, points)
    if process.ballot_kind != BallotKind.CUMULATIVE:
        pts = []
    digest, elector = _paper_checks(
        process=process,
        budget=budget,
        voter_secret=voter_secret,
        selection=ids,
        points=pts,
        band=age_band,
    )
    paper, _created = PaperBallot.objects.get_or_create(budget=budget, paper_number=paper_number)
    paper = PaperBallot.objects.select_for_update().get(pk=paper.pk)
    if paper.status != PaperBallot.Status.AWAITING_SECOND:
        raise ValidationError(
            {
                "paper_number": [
                    _("Paper %(n)s has already been entered twice.") % {"n": paper_number}
                ]
            }
        )
    entries = list(paper.entries.all())
    if any(e.officer_id == acting_user.pk for e in entries):
        raise ValidationError(
            {
                "paper_number": [
                    _("You have already keyed paper %(n)s; a second officer must key it.")
                    % {"n": paper_number}
                ]
            }
        )
    entry = PaperBallotEntry.objects.create(
        paper=paper,
        officer=acting_user,
        secret_hash=digest,
        selection=ids,
        points=pts,
        age_band=age_band,
    )
    changes: dict[str, Any] = {"paper_number": paper_number, "entry": len(entries) + 1}
    if entries:
        first = entries[0]
        if first.same_as(entry):
            paper.ballot = _count_paper(budget=budget, elector=elector, entry=entry)
            paper.status = PaperBallot.Status.MATCHED
        else:
            paper.status = PaperBallot.Status.MISMATCH
        paper.save()
        changes["status"] = paper.status
    audit_record(
        actor=acting_user, action="budgeting.paper_ballot.enter", target=paper, changes=changes
    )
    return paper


def _count_paper(*, budget: Budget, elector: Elector, entry: PaperBallotEntry) -> Ballot:
    elector = Elector.objects.select_for_update().get(pk=elector.pk)
    existing = Ballot.objects.filter(budget=budget, elector=elector).first()
    if existing is not None:
        raise ValidationError(
            {
                "voter_code": [
                    _("This voter already has a ballot in this budget (%(method)s).")
                    % {"method": existing.get_voting_method_display()}
                ]
            }
        )
    ballot, _created = _save_ballot(
        budget=budget,
        elector=elector,
        method=VotingMethod.PAPER,
        selection=entry.selection,
        points=entry.points,
        voter_ward=elector.ward,
        band=entry.age_band,
    )
    # A count made before this paper arrived is out of date.
    Count.objects.filter(budget=budget).delete()
    return ballot


@transaction.atomic
def paper_ballot_resolve(
    *, paper: PaperBallot, acting_user: Any, accept_entry: PaperBallotEntry | None, note: str
) -> PaperBallot:
    """A third officer settles a mismatch by checking the paper: accept one entry, or reject
    the paper (``accept_entry`` None)."""
    require_officer(acting_user)
    paper = PaperBallot.objects.select_for_update().select_related("budget").get(pk=paper.pk)
    if paper.status != PaperBallot.Status.MISMATCH:
        raise ValidationError(_("Only papers whose entries differ need resolving."))
    if paper.entries.filter(officer=acting_user).exists():
        raise PermissionDenied(_("An officer who keyed this paper cannot resolve it."))
    if not note.strip():
        raise ValidationError({"note": [_("Say what the paper shows.")]})
    if accept_entry is not None:
        if accept_entry.paper_id != paper.pk:
            raise ValidationError(_("That entry belongs to another paper."))
        elector = Elector.objects.get(
            process_id=paper.budget.process_id, secret_hash=accept_entry.secret_hash
        )
        paper.ballot = _count_paper(budget=paper.budget, elector=elector, entry=accept_entry)
        paper.status = PaperBallot.Status.RESOLVED
    else:
        paper.status = PaperBallot.Status.REJECTED
    paper.resolution_note = note.strip()
    paper.save()
    audit_record(
        actor=acting_user,
        action="budgeting.paper_ballot.resolve",
        target=paper,
        changes={"status": paper.status, "note": paper.resolution_note},
    )
    return paper
