"""What other apps may use from places."""

from __future__ import annotations

from .models import Place, Postcode
from .postcodes import normalise_postcode
from .selectors import PlaceLocator, place_for_point, place_for_postcode, places_for_point

__all__ = [
    "Place",
    "PlaceLocator",
    "Postcode",
    "normalise_postcode",
    "place_for_point",
    "place_for_postcode",
    "places_for_point",
]
