"""Organisations of the area and the people who belong to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bigsociety.common.models import BaseModel

from .identifiers import validate_org_id


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def of_kind(self, kind: str) -> OrganisationQuerySet:
        return self.filter(kind=kind)

    def serving(self, place_id: int) -> OrganisationQuerySet:
        return self.filter(places__id=place_id)


class Organisation(BaseModel):
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

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_id"], condition=~models.Q(org_id=""), name="unique_org_id"
            )
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation_detail", kwargs={"slug": self.slug})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(status=Membership.Status.ACTIVE)

    def requested(self) -> MembershipQuerySet:
        return self.filter(status=Membership.Status.REQUESTED)


class Membership(BaseModel):
    """A person's place in an organisation: a join request until an admin approves it."""

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

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_each")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role}, {self.status})"
