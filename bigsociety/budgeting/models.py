"""Participatory budgeting: processes, budgets, projects, the roll of electors, ballots,
paper ballot double entry, counts and delivery.

Money is in whole pounds (pabulib costs are integers). A process's ballot configuration and
counting rule are frozen when voting opens (``config_frozen_at``); the services refuse changes
after that.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bigsociety.common.models import BaseModel


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IDEAS = "ideas", _("Collecting ideas")
    REVIEW = "review", _("Feasibility review")
    VOTING = "voting", _("Voting")
    CLOSED = "closed", _("Voting closed, counting")
    RESULTS = "results", _("Results")
    DELIVERY = "delivery", _("Delivery")
    CANCELLED = "cancelled", _("Cancelled")


# The one table of allowed phase changes. Voting can only end by closing (never by
# cancelling, so cast ballots are never silently discarded) and the later phases are final.
PHASE_TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.DRAFT: frozenset({Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.CANCELLED}),
    Phase.IDEAS: frozenset({Phase.REVIEW, Phase.CANCELLED}),
    Phase.REVIEW: frozenset({Phase.VOTING, Phase.CANCELLED}),
    Phase.VOTING: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset({Phase.RESULTS}),
    Phase.RESULTS: frozenset({Phase.DELIVERY}),
    Phase.DELIVERY: frozenset(),
    Phase.CANCELLED: frozenset(),
}

PUBLIC_PHASES = frozenset(
    {Phase.IDEAS, Phase.REVIEW, Phase.VOTING, Phase.CLOSED, Phase.RESULTS, Phase.DELIVERY}
)
# Once voting has closed, anonymised ballots and tallies may be published; never before.
AFTER_VOTING = frozenset({Phase.CLOSED, Phase.RESULTS, Phase.DELIVERY})


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approval: tick the projects you support")
    KNAPSACK = "knapsack", _("Shopping cart: choose projects up to a spending limit")
    CUMULATIVE = "cumulative", _("Points: share out points between projects")
    RANKED = "ranked", _("Ranked: put your top projects in order")
    CHOOSE_ONE = "choose1", _("Choose one project")


class Rule(models.TextChoices):
    """Counting rules, named as the engine (and pabulib) name them."""

    GREEDY = "greedy", _("Greedy by votes, skipping projects that do not fit")
    GREEDY_NO_SKIP = "greedy-no-skip", _("Greedy by votes, stopping at the first that does not fit")
    GREEDY_THRESHOLD = "greedy-threshold", _("Greedy by votes, above a minimum vote threshold")
    MES = "mes", _("Method of Equal Shares")
    MES_ADD1 = "mes-add1", _("Method of Equal Shares with add-one completion")
    MES_ADD1_COMPARISON = (
        "mes-add1-comparison",
        _("Method of Equal Shares with add-one completion and greedy comparison"),
    )
    PHRAGMEN = "phragmen", _("Sequential Phragmén")


# Rules that need approval-style ballots (a set of supported projects).
APPROVAL_ONLY_RULES = frozenset({Rule.MES, Rule.MES_ADD1, Rule.MES_ADD1_COMPARISON, Rule.PHRAGMEN})
APPROVAL_STYLE_BALLOTS = frozenset(
    {BallotKind.APPROVAL, BallotKind.KNAPSACK, BallotKind.CHOOSE_ONE}
)


class WardRule(models.TextChoices):
    ANY = "any", _("Vote in any budgets")
    HOME_PLUS = "home_plus", _("Your home ward, plus a number of other wards")


class EligibilityMethod(models.TextChoices):
    LIST = "list", _("A list of eligible voters imported by an officer")
    CODE = "code", _("One-time voting codes printed on letters")
    LIST_OR_CODE = "list_or_code", _("Either a list entry or a voting code")


class ProcessQuerySet(models.QuerySet["Process"]):
    def public(self) -> ProcessQuerySet:
        return self.filter(phase__in=PUBLIC_PHASES)

    def voting(self) -> ProcessQuerySet:
        return self.filter(phase=Phase.VOTING)


class Process(BaseModel):
    """One participatory budgeting process (for example 'Kingsbridge decides 2026')."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phase = models.CharField(
        _("phase"), max_length=12, choices=Phase.choices, default=Phase.DRAFT, db_index=True
    )
    # Planned dates of each phase (shown to the public; staff move the phase).
    ideas_open_on = models.DateField(_("ideas open on"), null=True, blank=True)
    review_opens_on = models.DateField(_("feasibility review starts on"), null=True, blank=True)
    voting_opens_at = models.DateTimeField(_("voting opens at"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("voting closes at"), null=True, blank=True)
    results_on = models.DateField(_("results published on"), null=True, blank=True)
    delivery_from = models.DateField(_("delivery starts on"), null=True, blank=True)

    # Who may vote.
    eligibility_method = models.CharField(
        _("eligibility"),
        max_length=14,
        choices=EligibilityMethod.choices,
        default=EligibilityMethod.LIST_OR_CODE,
    )
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    ward_rule = models.CharField(
        _("which budgets a voter may vote in"),
        max_length=10,
        choices=WardRule.choices,
        default=WardRule.ANY,
    )
    other_wards_allowed = models.PositiveSmallIntegerField(
        _("other wards allowed"),
        default=1,
        help_text=_("With 'home ward plus others': how many wards besides the home ward."),
    )

    # The ballot (frozen when voting opens).
    ballot_kind = models.CharField(
        _("ballot"), max_length=12, choices=BallotKind.choices, default=BallotKind.APPROVAL
    )
    min_projects = models.PositiveSmallIntegerField(_("minimum projects"), default=1)
    max_projects = models.PositiveSmallIntegerField(_("maximum projects"), null=True, blank=True)
    cost_cap = models.PositiveBigIntegerField(
        _("spending limit per ballot (£)"),
        null=True,
        blank=True,
        help_text=_("Shopping-cart ballots: leave empty to use each budget's amount."),
    )
    total_points = models.PositiveIntegerField(_("points per voter"), null=True, blank=True)
    rank_k = models.PositiveSmallIntegerField(_("projects to rank"), null=True, blank=True)

    # How votes are counted (chosen before voting opens).
    rule = models.CharField(
        _("counting rule"), max_length=24, choices=Rule.choices, default=Rule.GREEDY
    )
    rule_threshold = models.PositiveIntegerField(
        _("minimum votes for greedy-threshold"), null=True, blank=True
    )
    config_frozen_at = models.DateTimeField(_("ballot frozen at"), null=True, blank=True)
    imported_from_pb = models.BooleanField(_("imported from a .pb file"), default=False)

    objects = ProcessQuerySet.as_manager()

    class Meta:
        ordering = ["-voting_opens_at", "-id"]
        verbose_name = _("budgeting process")
        verbose_name_plural = _("budgeting processes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_projects__isnull=True)
                | models.Q(max_projects__gte=models.F("min_projects")),
                name="pb_max_projects_at_least_min",
            ),
            models.CheckConstraint(
                condition=models.Q(voting_closes_at__isnull=True)
                | models.Q(voting_opens_at__isnull=True)
                | models.Q(voting_closes_at__gt=models.F("voting_opens_at")),
                name="pb_voting_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("budgeting:process_detail", kwargs={"slug": self.slug})

    @property
    def is_frozen(self) -> bool:
        return self.config_frozen_at is not None

    @property
    def voting_is_open(self) -> bool:
        if self.phase != Phase.VOTING:
            return False
        now = timezone.now()
        if self.voting_opens_at and now < self.voting_opens_at:
            return False
        return not (self.voting_closes_at and now >= self.voting_closes_at)

    @property
    def after_voting(self) -> bool:
        return self.phase in AFTER_VOTING


class Budget(BaseModel):
    """A pot of money within a process: area-wide (no ward) or for one ward."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="budgets")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    amount = models.PositiveBigIntegerField(_("amount (£)"))
    ward = models.ForeignKey(
        "places.Place",
        verbose_name=_("ward"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for an area-wide budget."),
    )

    class Meta:
        ordering = ["ward__name", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["process", "slug"], name="pb_budget_slug_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="pb_budget_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_area_wide(self) -> bool:
        return self.ward_id is None


class Feasibility(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    FEASIBLE = "feasible", _("Feasible")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ProjectQuerySet(models.QuerySet["Project"]):
    def on_ballot(self) -> ProjectQuerySet:
        return self.filter(feasibility=Feasibility.FEASIBLE)

    def funded(self) -> ProjectQuerySet:
        return self.filter(funded=True)


class Project(BaseModel):
    class Origin(models.TextChoices):
        RESIDENT = "resident", _("A resident's idea")
        STAFF = "staff", _("Proposed by the council")
        IMPORTED = "imported", _("Imported from a .pb file")

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="projects")
    reference = models.CharField(
        _("reference"), max_length=40, help_text=_("Short public identifier, e.g. P12.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cost = models.PositiveBigIntegerField(_("cost (£)"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feasibility = models.CharField(
        _("feasibility"), max_length=14, choices=Feasibility.choices, default=Feasibility.PENDING
    )
    feasibility_reason = models.TextField(_("reason for the feasibility decision"), blank=True)
    funded = models.BooleanField(_("funded"), default=False)
    delivery_status = models.CharField(
        _("delivery status"),
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.NOT_STARTED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["reference", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "reference"], name="pb_project_reference_unique"
            ),
            models.CheckConstraint(condition=models.Q(cost__gt=0), name="pb_project_cost_positive"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="pb_project_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Milestone(BaseModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Elector(BaseModel):
    """One entry on a process's roll of eligible voters.

    ``secret_hash`` is HMAC-SHA256 (keyed with settings.HASHING_PEPPER) of a normalised list
    identifier or a one-time voting code; the identifier or code itself is never stored. A
    person claims an entry (by matching identifier or by redeeming a code); paper ballots are
    tied to the entry through the code or identifier printed on the paper.
    """

    class Source(models.TextChoices):
        LIST = "list", _("Imported list")
        CODE = "code", _("Voting code")
        VERIFIED = "verified", _("General verification")
        IMPORTED = "imported", _("Imported .pb ballot")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="electors")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    secret_hash = models.CharField(_("hashed identifier or code"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    ward = models.ForeignKey(
        "places.Place",
        verbose_name=_("ward"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "secret_hash"], name="pb_elector_secret_unique"
            ),
            models.UniqueConstraint(
                fields=["process", "user"],
                condition=models.Q(user__isnull=False),
                name="pb_one_elector_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.secret_hash[:8]}…"


class VotingMethod(models.TextChoices):
    INTERNET = "internet", _("Online")
    PAPER = "paper", _("Paper")


class Ballot(BaseModel):
    """One elector's ballot in one budget; changed in place until voting closes.

    ``selection`` lists project ids in the voter's order; ``points`` parallels it for
    cumulative ballots. Ward and age band are snapshots taken at casting for turnout tables.
    """

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="ballots")
    voting_method = models.CharField(
        _("voting method"), max_length=10, choices=VotingMethod.choices
    )
    selection = models.JSONField(_("projects chosen"), default=list)
    points = models.JSONField(_("points"), default=list, blank=True)
    voter_ward = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    age_band = models.CharField(_("age band"), max_length=10, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "elector"], name="pb_one_ballot_per_elector_per_budget"
            )
        ]

    def __str__(self) -> str:
        return f"Ballot {self.pk} in {self.budget}"


class PaperBallot(BaseModel):
    """A paper ballot keyed twice by two different officers before it counts."""

    class Status(models.TextChoices):
        AWAITING_SECOND = "awaiting", _("Awaiting second entry")
        MATCHED = "matched", _("Entries match; counted")
        MISMATCH = "mismatch", _("Entries differ; needs resolving")
        RESOLVED = "resolved", _("Resolved by an officer; counted")
        REJECTED = "rejected", _("Rejected")

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="paper_ballots")
    paper_number = models.CharField(_("ballot paper number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AWAITING_SECOND
    )
    ballot = models.OneToOneField(
        Ballot, null=True, blank=True, on_delete=models.SET_NULL, related_name="paper"
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)

    class Meta:
        ordering = ["paper_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "paper_number"], name="pb_paper_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Paper {self.paper_number}"


class PaperBallotEntry(BaseModel):
    paper = models.ForeignKey(PaperBallot, on_delete=models.CASCADE, related_name="entries")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    secret_hash = models.CharField(max_length=64)
    selection = models.JSONField(default=list)
    points = models.JSONField(default=list, blank=True)
    age_band = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "officer"], name="pb_one_entry_per_officer")
        ]

    def __str__(self) -> str:
        return f"Entry by {self.officer_id} for {self.paper}"

    def same_as(self, other: PaperBallotEntry) -> bool:
        return (self.secret_hash, self.selection, self.points, self.age_band) == (
            other.secret_hash,
            other.selection,
            other.points,
            other.age_band,
        )


class Count(BaseModel):
    """The count of one budget: the engine's outcome and explanation, and any override."""

    budget = models.OneToOneField(Budget, on_delete=models.CASCADE, related_name="count")
    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    ballots_counted = models.PositiveIntegerField(_("ballots counted"))
    computed_funded = models.JSONField(_("projects funded by the rule"), default=list)
    funded = models.JSONField(_("projects funded"), default=list)
    spent = models.PositiveBigIntegerField(_("spent (£)"))
    explanation = models.JSONField(_("explanation"), default=dict)
    override_reason = models.TextField(_("reason for overriding the rule"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Count of {self.budget}"

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_reason)
