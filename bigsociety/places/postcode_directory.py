"""The columns of an ONS Postcode Directory-style CSV, for common.csvimport.

Column names follow the ONS Postcode Directory (pcds, lat, long, osward, lsoa21) or plain words
(postcode, latitude, longitude, ward_code, lsoa_code).
"""

from __future__ import annotations

from bigsociety.common.csvimport import Column, Row, RowError, RowIssue, parse_float

from .postcodes import normalise_postcode

# The ONS directory marks postcodes with no grid reference with latitude 99.999999.
NO_LOCATION_LATITUDE = 99.999999


def parse_postcode(text: str) -> str:
    postcode = normalise_postcode(text)
    if postcode is None:
        raise RowError(f"{text!r} is not a UK postcode")
    return postcode


COLUMNS = [
    Column("postcode", aliases=("pcds", "pcd", "pcd2"), parse=parse_postcode),
    Column("latitude", aliases=("lat",), parse=parse_float(-90, 100)),
    Column("longitude", aliases=("long", "lng", "lon"), parse=parse_float(-180, 180)),
    Column("ward_code", aliases=("osward", "ward", "wd"), required=False, blank=True),
    Column(
        "lsoa_code",
        aliases=("lsoa21", "lsoa21cd", "lsoa11", "lsoa11cd", "lsoa"),
        required=False,
        blank=True,
    ),
]


class RepeatedPostcodes:
    """A row check: each postcode appears once in a file."""

    def __init__(self) -> None:
        self.first_line: dict[str, int] = {}

    def __call__(self, row: Row) -> list[RowIssue]:
        postcode = row.values["postcode"]
        first = self.first_line.setdefault(postcode, row.line)
        if first != row.line:
            return [
                RowIssue(row.line, "postcode", f"{postcode} is repeated (first on line {first})")
            ]
        return []


def has_location(row: Row) -> bool:
    return abs(row.values["latitude"] - NO_LOCATION_LATITUDE) > 1e-6
