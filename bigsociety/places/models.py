"""Places: the areas of the local authority and the postcodes in them."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bigsociety.common.models import BaseModel


class PlaceQuerySet(models.QuerySet["Place"]):
    def of_kind(self, kind: str) -> PlaceQuerySet:
        return self.filter(kind=kind)

    def containing_bbox(self, lat: float, lng: float) -> PlaceQuerySet:
        """Places whose bounding box holds the point: the cheap first step of point-in-polygon."""
        return self.filter(min_lat__lte=lat, max_lat__gte=lat, min_lng__lte=lng, max_lng__gte=lng)


class Place(BaseModel):
    """An area: a local authority, a ward, a neighbourhood or a census LSOA."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        WARD = "ward", _("Ward")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
        LSOA = "lsoa", _("Lower layer super output area")

    # How deep each kind sits; a place's parent is always shallower.
    DEPTH = {Kind.LOCAL_AUTHORITY: 0, Kind.WARD: 1, Kind.NEIGHBOURHOOD: 2, Kind.LSOA: 3}

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    code = models.CharField(
        _("GSS code"),
        max_length=20,
        unique=True,
        help_text=_("The ONS Government Statistical Service code, for example E05000001."),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("within"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    boundary = models.JSONField(
        _("boundary"), null=True, blank=True, help_text=_("A GeoJSON Polygon or MultiPolygon.")
    )
    min_lat = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True)
    max_lng = models.FloatField(null=True, blank=True)
    centre_lat = models.FloatField(null=True, blank=True)
    centre_lng = models.FloatField(null=True, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        indexes = [models.Index(fields=["min_lat", "max_lat", "min_lng", "max_lng"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("places:place_detail", kwargs={"slug": self.slug})

    def ancestors(self) -> list[Place]:
        """From the top of the hierarchy down to this place's parent."""
        chain: list[Place] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class Postcode(BaseModel):
    """One row of an ONS Postcode Directory-style file, resolved to the platform's places."""

    postcode = models.CharField(
        _("postcode"), max_length=8, unique=True, help_text=_("Normalised, e.g. 'AB1 2CD'.")
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    ward_code = models.CharField(_("ward code"), max_length=20, blank=True)
    lsoa_code = models.CharField(_("LSOA code"), max_length=20, blank=True)
    place = models.ForeignKey(
        Place,
        verbose_name=_("smallest place"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="postcodes",
    )

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode
