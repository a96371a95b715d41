"""Organisations of the area and the people who belong to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bigsociety.common.models import BaseModel

from .identifiers import OrgIdList, org_id_list, validate_org_id


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def of_kind(self, kind: str) -> OrganisationQuerySet:
        return self.filter(kind=kind)

    def of_kinds(self, kinds: list[str]) -> OrganisationQuerySet:
        return self.filter(kind__in=kinds) if kinds else self

    def serving(self, place_id: int) -> OrganisationQuerySet:
        return self.serving_any([place_id])

    def serving_any(self, place_ids: list[int]) -> OrganisationQuerySet:
        """Organisations serving one of ``place_ids``: an EXISTS, so no duplicate rows and no
        DISTINCT over the whole directory."""
        through = Organisation.places.through
        return self.filter(
            models.Exists(
                through.objects.filter(
                    organisation_id=models.OuterRef("pk"), place_id__in=place_ids
                )
            )
        )

    def matching(self, text: str) -> OrganisationQuerySet:
        """A case-insensitive match of every word on the name or description."""
        queryset = self
        for word in text.split()[:8]:
            queryset = queryset.filter(
                models.Q(name__icontains=word) | models.Q(description__icontains=word)
            )
        return queryset

    def verified(self) -> OrganisationQuerySet:
        return self.filter(verified=True)


KINDS = [
    "council",
    "library",
    "museum",
    "archive",
    "charity",
    "cio",
    "cic",
    "cooperative",
    "cbs",
    "mutual",
    "social_enterprise",
    "neighbourhood_forum",
    "parish_council",
    "police_force",
    "school",
    "other",
]  # fmt: skip  (Organisation.Kind's values; a test keeps the two in step)


class Organisation(BaseModel):
    """An organisation of the area, listed in the public directory."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council")
        LIBRARY = "library", _("Library")
        MUSEUM = "museum", _("Museum")
        ARCHIVE = "archive", _("Archive")
        CHARITY = "charity", _("Charity")
        CIO = "cio", _("Charitable incorporated organisation")
        CIC = "cic", _("Community interest company")
        COOPERATIVE = "cooperative", _("Co-operative")
        COMMUNITY_BENEFIT_SOCIETY = "cbs", _("Community benefit society")
        MUTUAL = "mutual", _("Mutual")
        SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
        NEIGHBOURHOOD_FORUM = "neighbourhood_forum", _("Neighbourhood forum")
        PARISH_COUNCIL = "parish_council", _("Parish or town council")
        POLICE_FORCE = "police_force", _("Police force")
        SCHOOL = "school", _("School")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices, db_index=True)
    org_id = models.CharField(
        _("org-id identifier"),
        max_length=40,
        blank=True,
        validators=[validate_org_id],
        help_text=_("For example GB-CHC-1164883 for a registered charity."),
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    address = models.TextField(_("address"), blank=True)
    places = models.ManyToManyField(
        "places.Place", verbose_name=_("places served"), blank=True, related_name="organisations"
    )
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Staff have checked this organisation exists.")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["org_id"],
                condition=~models.Q(org_id=""),
                name="unique_org_id",
                violation_error_code="duplicate_org_id",
                violation_error_message=_("Another organisation already has this org-id."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=KINDS),
                name="organisation_kind_known",
            ),
        ]
        indexes = [
            # The directory's orderings and filters: every page is ordered by (name, id).
            models.Index(fields=["name", "id"], name="organisation_name_id"),
            models.Index(fields=["kind", "name", "id"], name="organisation_kind_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation_detail", kwargs={"slug": self.slug})

    @property
    def org_id_list(self) -> OrgIdList | None:
        """The register the org-id comes from (Charity Commission, Companies House…)."""
        return org_id_list(self.org_id)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(status=Membership.Status.ACTIVE)

    def requested(self) -> MembershipQuerySet:
        return self.filter(status=Membership.Status.REQUESTED)

    def admins(self) -> MembershipQuerySet:
        return self.active().filter(role=Membership.Role.ADMIN)

    def editors_or_admins(self) -> MembershipQuerySet:
        return self.active().filter(role__in=[Membership.Role.EDITOR, Membership.Role.ADMIN])


class Membership(BaseModel):
    """A person's place in an organisation: a join request until an admin approves it.

    Status moves only along ``TRANSITIONS``; leaving or being removed deletes the row (so the
    person may ask again later), and the audit log keeps the history.
    """

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        EDITOR = "editor", _("Editor")
        ADMIN = "admin", _("Admin")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    message = models.TextField(_("message"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_each"),
            models.CheckConstraint(
                condition=models.Q(role__in=["member", "editor", "admin"]),
                name="membership_role_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["requested", "active", "declined"]),
                name="membership_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "role"], name="membership_org_status"),
            models.Index(fields=["user", "status"], name="membership_user_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role}, {self.status})"


# The membership state machine: (from, to) pairs. None is "no membership row".
MEMBERSHIP_TRANSITIONS: frozenset[tuple[str | None, str | None]] = frozenset(
    {
        (None, Membership.Status.REQUESTED),  # ask to join
        (Membership.Status.DECLINED, Membership.Status.REQUESTED),  # ask again
        (Membership.Status.REQUESTED, Membership.Status.ACTIVE),  # approve
        (Membership.Status.REQUESTED, Membership.Status.DECLINED),  # decline
        (Membership.Status.REQUESTED, None),  # withdraw the request
        (Membership.Status.ACTIVE, None),  # leave or be removed
    }
)


def can_transition(current: str | None, new: str | None) -> bool:
    return (current, new) in MEMBERSHIP_TRANSITIONS
