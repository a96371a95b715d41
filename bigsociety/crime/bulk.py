"""Pure parsing of data.police.uk bulk files: layouts, file names, rows, slugs and distances.

Nothing here touches the database, so every rule is tested on its own (tests/test_bulk.py).
The three layouts are exactly those of the bulk download (https://data.police.uk/data/):

* street-level crime, ``YYYY-MM/YYYY-MM-<force>-street.csv``, 12 columns;
* outcomes, ``YYYY-MM/YYYY-MM-<force>-outcomes.csv``, 10 columns;
* stop and search, ``YYYY-MM/YYYY-MM-<force>-stop-and-search.csv``, 15 columns
  (latitude before longitude, the reverse of the other two).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

STREET = "street"
OUTCOMES = "outcomes"
STOP_AND_SEARCH = "stop-and-search"

LAYOUTS: dict[str, tuple[str, ...]] = {
    STREET: (
        "Crime ID",
        "Month",
        "Reported by",
        "Falls within",
        "Longitude",
        "Latitude",
        "Location",
        "LSOA code",
        "LSOA name",
        "Crime type",
        "Last outcome category",
        "Context",
    ),
    OUTCOMES: (
        "Crime ID",
        "Month",
        "Reported by",
        "Falls within",
        "Longitude",
        "Latitude",
        "Location",
        "LSOA code",
        "LSOA name",
        "Outcome type",
    ),
    STOP_AND_SEARCH: (
        "Type",
        "Date",
        "Part of a policing operation",
        "Policing operation",
        "Latitude",
        "Longitude",
        "Gender",
        "Age range",
        "Self-defined ethnicity",
        "Officer-defined ethnicity",
        "Legislation",
        "Object of search",
        "Outcome",
        "Outcome linked to object of search",
        "Removal of more than just outer clothing",
    ),
}

# CSV "Crime type" -> data.police.uk API category slug.
CATEGORIES: dict[str, str] = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
    "Other crime": "other-crime",
}
CATEGORY_NAMES: dict[str, str] = {slug: name for name, slug in CATEGORIES.items()}
ALL_CRIME = "all-crime"

# Bulk file name slugs -> force names (data.police.uk /api/forces).
FORCES: dict[str, str] = {
    "avon-and-somerset": "Avon and Somerset Constabulary",
    "bedfordshire": "Bedfordshire Police",
    "btp": "British Transport Police",
    "cambridgeshire": "Cambridgeshire Constabulary",
    "cheshire": "Cheshire Constabulary",
    "city-of-london": "City of London Police",
    "cleveland": "Cleveland Police",
    "cumbria": "Cumbria Constabulary",
    "derbyshire": "Derbyshire Constabulary",
    "devon-and-cornwall": "Devon & Cornwall Police",
    "dorset": "Dorset Police",
    "durham": "Durham Constabulary",
    "dyfed-powys": "Dyfed-Powys Police",
    "essex": "Essex Police",
    "gloucestershire": "Gloucestershire Constabulary",
    "greater-manchester": "Greater Manchester Police",
    "gwent": "Gwent Police",
    "hampshire": "Hampshire Constabulary",
    "hertfordshire": "Hertfordshire Constabulary",
    "humberside": "Humberside Police",
    "kent": "Kent Police",
    "lancashire": "Lancashire Constabulary",
    "leicestershire": "Leicestershire Police",
    "lincolnshire": "Lincolnshire Police",
    "merseyside": "Merseyside Police",
    "metropolitan": "Metropolitan Police Service",
    "norfolk": "Norfolk Constabulary",
    "north-wales": "North Wales Police",
    "north-yorkshire": "North Yorkshire Police",
    "northamptonshire": "Northamptonshire Police",
    "northern-ireland": "Police Service of Northern Ireland",
    "northumbria": "Northumbria Police",
    "nottinghamshire": "Nottinghamshire Police",
    "south-wales": "South Wales Police",
    "south-yorkshire": "South Yorkshire Police",
    "staffordshire": "Staffordshire Police",
    "suffolk": "Suffolk Constabulary",
    "surrey": "Surrey Police",
    "sussex": "Sussex Police",
    "thames-valley": "Thames Valley Police",
    "warwickshire": "Warwickshire Police",
    "west-mercia": "West Mercia Police",
    "west-midlands": "West Midlands Police",
    "west-yorkshire": "West Yorkshire Police",
    "wiltshire": "Wiltshire Police",
}

FILE_NAME = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv$"
)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MILE_M = 1609.344
EARTH_RADIUS_M = 6371008.8

# Bounds a British or Northern Irish published location lies in (with a margin).
MIN_LAT, MAX_LAT, MIN_LNG, MAX_LNG = 49.0, 61.5, -9.0, 2.5


class LayoutError(ValueError):
    """The header is none of the three layouts."""


@dataclass(frozen=True)
class BulkName:
    """What a bulk file's name says: its month, force and layout."""

    month: dt.date
    force: str
    kind: str


@dataclass(frozen=True)
class RowError:
    """One rejected line of one file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.message}"


def parse_bulk_name(name: str) -> BulkName | None:
    """``2018-04-city-of-london-street.csv`` -> BulkName; None for any other name."""
    match = FILE_NAME.match(Path(name).name)
    if match is None:
        return None
    month = parse_month(match["month"])
    if month is None:
        return None
    return BulkName(month=month, force=match["force"], kind=match["kind"])


def parse_month(value: str) -> dt.date | None:
    """``YYYY-MM`` -> the first day of that month, or None when malformed."""
    if not MONTH.match(value):
        return None
    return dt.date(int(value[:4]), int(value[5:7]), 1)


def month_str(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def detect_layout(header: list[str]) -> str:
    """Which layout a header row is. LayoutError names the expected and found columns."""
    found = [h.strip().lstrip("\ufeff") for h in header]
    for kind, columns in LAYOUTS.items():
        if tuple(found) == columns:
            return kind
    raise LayoutError(
        "The header is not one of the data.police.uk layouts. Expected one of: "
        + " | ".join(
            f"{kind} ({len(cols)} columns): {','.join(cols)}" for kind, cols in LAYOUTS.items()
        )
        + f". Found ({len(found)} columns): {','.join(found)}"
    )


def parse_coordinate(value: str, *, low: float, high: float) -> float | None:
    """'' -> None; a number inside [low, high] -> float; anything else -> ValueError."""
    if value == "":
        return None
    number = float(value)  # ValueError for text
    if not (low <= number <= high) or math.isnan(number):
        raise ValueError(value)
    return number


def location_id(lat: float | None, lng: float | None, street: str) -> int | None:
    """A stable synthetic id for a published location (rounded point + street name).

    The bulk files carry no location id, so the API's ``location.street.id`` is made from
    what is published: the same point and street always give the same id (a positive 31-bit
    integer), whichever file or import it came from.
    """
    if lat is None or lng is None:
        return None
    return location_hash(f"{lat:.6f}|{lng:.6f}|{street}")


def location_hash(key: str) -> int:
    """The location id of a location key, ``f"{lat:.6f}|{lng:.6f}|{street}"``."""
    return zlib.crc32(key.encode()) & 0x7FFFFFFF or 1


def crime_key(crime_id: str) -> int | None:
    """A crime ID's first 60 bits as an integer (None for no ID or one that is not hex)."""
    try:
        return int(crime_id[:15], 16) if crime_id else None
    except ValueError:
        return None


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def radius_bbox(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """A box (min_lat, max_lat, min_lng, max_lng) certain to hold the circle, with a margin."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.001 + 1e-6
    widest = min(89.0, abs(lat) + dlat)
    dlng = dlat / max(math.cos(math.radians(widest)), 1e-6)
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def district_of(lsoa_name: str) -> str:
    """'Arun 018E' -> 'Arun' (the local authority part of an LSOA name)."""
    return lsoa_name.rsplit(" ", 1)[0] if " " in lsoa_name else lsoa_name


def parse_poly(value: str) -> list[tuple[float, float]]:
    """``lat,lng:lat,lng:…`` -> [(lat, lng), …]. ValueError with a message when malformed."""
    points: list[tuple[float, float]] = []
    for pair in value.strip().strip(":").split(":"):
        parts = pair.split(",")
        if len(parts) != 2:
            raise ValueError(f"'{pair}' is not a lat,lng pair")
        try:
            lat, lng = float(parts[0]), float(parts[1])
        except ValueError:
            raise ValueError(f"'{pair}' is not a lat,lng pair of numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError(f"'{pair}' is outside the range of latitude and longitude")
        points.append((lat, lng))
    if len(points) < 3:
        raise ValueError("a polygon needs at least three points")
    return points


# --- finding files -------------------------------------------------------------------------


@dataclass
class BulkFile:
    """One CSV to import, wherever it lives (a path or a member of a zip)."""

    label: str
    name: BulkName
    _path: Path | None = None
    _zip: zipfile.ZipFile | None = None
    _member: str | None = None

    def size(self) -> int:
        """The file's size in bytes (uncompressed, for a member of a zip)."""
        if self._zip is not None and self._member is not None:
            return self._zip.getinfo(self._member).file_size
        assert self._path is not None
        return self._path.stat().st_size

    @property
    def path(self) -> Path | None:
        """The file on disk; None for a member of a zip."""
        return self._path

    def open(self) -> IO[str]:
        return io.TextIOWrapper(self.open_binary(), encoding="utf-8-sig", newline="")

    def open_binary(self) -> IO[bytes]:
        if self._zip is not None and self._member is not None:
            return self._zip.open(self._member)
        assert self._path is not None
        return open(self._path, "rb")


KIND_ORDER = {OUTCOMES: 0, STREET: 1, STOP_AND_SEARCH: 2}


def discover(paths: list[Path]) -> tuple[list[BulkFile], list[str]]:
    """Every bulk CSV under the given files, folders and zips; and what was not usable.

    Outcomes files come before street files of the same month: a street file then writes its
    crimes with their latest outcomes, so no crime of that month is written twice.
    """
    found: list[BulkFile] = []
    problems: list[str] = []

    def add_path(path: Path) -> None:
        name = parse_bulk_name(path.name)
        if name is None:
            problems.append(
                f"{path}: the name is not a data.police.uk bulk file name "
                "(YYYY-MM-<force>-<street|outcomes|stop-and-search>.csv)"
            )
        else:
            found.append(BulkFile(label=str(path), name=name, _path=path))

    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*.csv")):
                add_path(child)
        elif path.suffix.lower() == ".zip":
            try:
                archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                problems.append(f"{path}: not a readable zip file ({exc})")
                continue
            for member in sorted(archive.namelist()):
                if member.endswith("/") or not member.lower().endswith(".csv"):
                    continue
                name = parse_bulk_name(member)
                if name is None:
                    problems.append(f"{path}:{member}: not a data.police.uk bulk file name")
                    continue
                found.append(
                    BulkFile(label=f"{path.name}:{member}", name=name, _zip=archive, _member=member)
                )
        elif path.is_file():
            add_path(path)
        else:
            problems.append(f"{path}: no such file or folder")
    found.sort(key=lambda f: (f.name.month, KIND_ORDER[f.name.kind], f.name.force))
    return found, problems


def iter_months(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    month = first
    while month <= last:
        yield month
        month = add_months(month, 1)
