"""Reading an ONS Postcode Directory-style CSV: postcode, latitude, longitude, ward and LSOA codes.

Column names follow the ONS Postcode Directory (pcds, lat, long, osward, lsoa21) or plain words
(postcode, latitude, longitude, ward_code, lsoa_code). Every problem is collected with its line
number, so a file with any broken row can be rejected whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from .postcodes import normalise_postcode

ALIASES = {
    "postcode": ("postcode", "pcds", "pcd", "pcd2"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lng", "lon"),
    "ward_code": ("ward_code", "osward", "ward", "wd"),
    "lsoa_code": ("lsoa_code", "lsoa21", "lsoa21cd", "lsoa11", "lsoa11cd", "lsoa"),
}
REQUIRED = ("postcode", "latitude", "longitude")
# The ONS directory marks postcodes with no grid reference with latitude 99.999999.
NO_LOCATION_LATITUDE = 99.999999


@dataclass(frozen=True)
class PostcodeRow:
    line: int
    postcode: str
    latitude: float
    longitude: float
    ward_code: str
    lsoa_code: str


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class PostcodeFile:
    rows: list[PostcodeRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    skipped_without_location: int = 0


def _lines(data: bytes | str | Iterable[str]) -> Iterable[str]:
    if isinstance(data, bytes):
        return io.StringIO(data.decode("utf-8-sig"))
    if isinstance(data, str):
        return io.StringIO(data.lstrip("\ufeff"))
    return data


def read_postcode_directory(data: bytes | str | Iterable[str]) -> PostcodeFile:
    """Parse and validate every row. Raises nothing: problems are returned with line numbers."""
    result = PostcodeFile()
    try:
        reader = csv.reader(_lines(data))
        header = next(reader, None)
    except UnicodeDecodeError as error:
        result.problems.append(RowProblem(1, "", f"the file is not UTF-8 text ({error.reason})"))
        return result
    if header is None:
        result.problems.append(RowProblem(1, "", "the file is empty"))
        return result
    names = [h.strip().lower() for h in header]
    index: dict[str, int] = {}
    for column, aliases in ALIASES.items():
        for alias in aliases:
            if alias in names:
                index[column] = names.index(alias)
                break
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        result.problems.append(
            RowProblem(
                1,
                "",
                "expected columns "
                + ", ".join(f"{c} (or {'/'.join(ALIASES[c][1:])})" for c in missing)
                + f"; found {', '.join(header)}",
            )
        )
        return result
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue

            def cell(column: str, row: list[str] = row) -> str:
                i = index.get(column)
                return row[i].strip() if i is not None and i < len(row) else ""

            problems_before = len(result.problems)
            postcode = normalise_postcode(cell("postcode"))
            if postcode is None:
                result.problems.append(
                    RowProblem(line, "postcode", f"{cell('postcode')!r} is not a UK postcode")
                )
            elif postcode in seen:
                result.problems.append(
                    RowProblem(
                        line, "postcode", f"{postcode} is repeated (first on line {seen[postcode]})"
                    )
                )
            coordinates: list[float] = []
            for column, low, high in (("latitude", -90, 100), ("longitude", -180, 180)):
                try:
                    value = float(cell(column))
                except ValueError:
                    result.problems.append(
                        RowProblem(line, column, f"{cell(column)!r} is not a number")
                    )
                    continue
                if not low <= value <= high:
                    result.problems.append(RowProblem(line, column, f"{value} is out of range"))
                coordinates.append(value)
            if len(result.problems) > problems_before or postcode is None:
                continue
            seen[postcode] = line
            latitude, longitude = coordinates
            if abs(latitude - NO_LOCATION_LATITUDE) < 1e-6:
                result.skipped_without_location += 1
                continue
            result.rows.append(
                PostcodeRow(
                    line, postcode, latitude, longitude, cell("ward_code"), cell("lsoa_code")
                )
            )
    except UnicodeDecodeError as error:
        result.problems.append(
            RowProblem(reader.line_num + 1, "", f"the file is not UTF-8 text ({error.reason})")
        )
    except csv.Error as error:
        result.problems.append(RowProblem(reader.line_num, "", f"the CSV is malformed: {error}"))
    return result


def problems_as_csv(problems: list[RowProblem]) -> str:
    """The downloadable error report: one row per problem with its line and column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "column", "problem"])
    for problem in problems:
        writer.writerow([problem.line, problem.column, problem.message])
    return out.getvalue()
