from __future__ import annotations

import factory

from bigsociety.places.models import Place, Postcode


def square(lng: float, lat: float, size: float) -> dict:
    """A GeoJSON Polygon: a square with its south-west corner at (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lng, lat],
                [lng + size, lat],
                [lng + size, lat + size],
                [lng, lat + size],
                [lng, lat],
            ]
        ],
    }


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    kind = Place.Kind.WARD
    code = factory.Sequence(lambda n: f"E05{n:06d}")
    name = factory.Sequence(lambda n: f"Ward {n}")
    slug = factory.Sequence(lambda n: f"ward-{n}")


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postcode

    postcode = factory.Sequence(lambda n: f"ZZ{n % 90 + 1} {n % 10}AA")
    latitude = 51.45
    longitude = -2.59
