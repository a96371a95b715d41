"""Reading a GeoJSON FeatureCollection of boundaries, with the line each feature starts on.

A feature's ``properties`` carry ``code`` (GSS code), ``name``, ``kind`` (local_authority,
ward, neighbourhood or lsoa) and optionally ``parent_code``. Every problem is collected with
its feature number and line, so a file with a broken feature can be rejected whole.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .geometry import geometry_from_geojson
from .models import Place

GSS_CODE = re.compile(r"^[EWSNK][0-9]{8}$")


@dataclass
class BoundaryRow:
    number: int
    line: int
    code: str
    name: str
    kind: str
    parent_code: str
    geometry: dict[str, Any]


@dataclass
class BoundaryProblem:
    number: int
    line: int
    message: str

    def __str__(self) -> str:
        return f"Feature {self.number} (line {self.line}): {self.message}"


@dataclass
class BoundaryFile:
    rows: list[BoundaryRow] = field(default_factory=list)
    problems: list[BoundaryProblem] = field(default_factory=list)


def _features_with_lines(text: str) -> list[tuple[int, Any]]:
    """Each element of the top-level "features" array with the line it starts on."""
    decoder = json.JSONDecoder()
    match = re.search(r'"features"\s*:\s*\[', text)
    if match is None:
        return []
    index = match.end()
    line = text.count("\n", 0, index) + 1
    found: list[tuple[int, Any]] = []
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            if text[index] == "\n":
                line += 1
            index += 1
        if index >= len(text) or text[index] == "]":
            return found
        value, end = decoder.raw_decode(text, index)
        found.append((line, value))
        line += text.count("\n", index, end)
        index = end


def read_boundaries(text: str) -> BoundaryFile:
    result = BoundaryFile()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        result.problems.append(
            BoundaryProblem(0, error.lineno, f"the file is not valid JSON: {error.msg}")
        )
        return result
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        result.problems.append(
            BoundaryProblem(0, 1, "the file must be a GeoJSON FeatureCollection")
        )
        return result
    located = _features_with_lines(text)
    features = document.get("features") or []
    if len(located) != len(features):  # unusual layout: fall back to feature numbers alone
        located = [(0, feature) for feature in features]
    kinds = set(Place.Kind.values)
    seen: dict[str, int] = {}
    for number, (line, feature) in enumerate(located, start=1):

        def problem(message: str, number: int = number, line: int = line) -> None:
            result.problems.append(BoundaryProblem(number, line, message))

        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problem("not a GeoJSON Feature")
            continue
        props = feature.get("properties") or {}
        code = str(props.get("code", "")).strip()
        name = str(props.get("name", "")).strip()
        kind = str(props.get("kind", "")).strip()
        parent_code = str(props.get("parent_code") or "").strip()
        ok = True
        if not GSS_CODE.match(code):
            problem(f"code {code!r} is not a GSS code like E05000001")
            ok = False
        elif code in seen:
            problem(f"code {code} is repeated (first in feature {seen[code]})")
            ok = False
        if not name:
            problem("name is missing")
            ok = False
        if kind not in kinds:
            problem(f"kind {kind!r} must be one of {', '.join(sorted(kinds))}")
            ok = False
        try:
            geometry_from_geojson(feature.get("geometry"))  # type: ignore[arg-type]
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            problem(f"geometry: {error}")
            ok = False
        seen.setdefault(code, number)
        if ok:
            result.rows.append(
                BoundaryRow(number, line, code, name, kind, parent_code, feature["geometry"])
            )
    return result
