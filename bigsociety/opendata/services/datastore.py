"""The datastore: each CSV resource is loaded into a table of its own, with typed columns.

* Table name ``ds_<resource uuid hex>``; columns ``c0, c1, ...`` (the CSV's header names are
  kept in ``Resource.datastore_fields``, so no header ever reaches SQL as an identifier) plus
  ``_id``, the row number from 1.
* Types are inferred over the whole file: integer (no leading zeros), numeric, date
  (``YYYY-MM-DD`` or ``DD/MM/YYYY``), else text. Empty cells are NULL.
* Loading runs inside the caller's transaction. A file that is not UTF-8 or not well-formed CSV
  is refused with the line number and the reason, and nothing is created.
* Every integer and date column, and every text column whose values are at most 100
  characters, is indexed, so ``filters`` on them use an index.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from ..models import Resource

__all__ = ["PREVIEW_ROWS", "drop", "load_csv", "table_name"]

PREVIEW_ROWS = 10
INDEX_MAX_TEXT = 100
BATCH = 5000
csv.field_size_limit(10 * 1024 * 1024)

INT_RE = re.compile(r"^[+-]?(0|[1-9]\d{0,17})$")
NUM_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UK_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
TYPES = ("int", "numeric", "date", "text")


def table_name(resource: Resource) -> str:
    return f"ds_{resource.uuid.hex}"


def _parse_date(value: str) -> dt.date | None:
    try:
        if ISO_DATE_RE.match(value):
            return dt.date.fromisoformat(value)
        match = UK_DATE_RE.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def _fits(kind: str, value: str) -> bool:
    if kind == "int":
        return bool(INT_RE.match(value))
    if kind == "numeric":
        return bool(NUM_RE.match(value))
    if kind == "date":
        return _parse_date(value) is not None
    return True


def _convert(kind: str, value: str) -> Any:
    if value == "":
        return None
    if kind == "int":
        return int(value)
    if kind == "numeric":
        return Decimal(value) if connection.vendor == "postgresql" else float(value)
    if kind == "date":
        parsed = _parse_date(value)
        return parsed if connection.vendor == "postgresql" else parsed.isoformat()  # type: ignore[union-attr]
    return value


def decode(stream: IO[bytes]) -> str:
    data = stream.read()
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            {
                "upload": _(
                    "Line %(line)s: the file is not UTF-8 text (byte 0x%(byte)02x cannot be "
                    "read). Save it as “CSV UTF-8” and upload it again."
                )
                % {"line": line, "byte": data[exc.start]}
            },
            code="encoding",
        ) from exc


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each data row; raises ValidationError naming the line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width = None
    try:
        for cells in reader:
            if width is None:
                width = len(cells)
            elif not cells:
                continue  # a blank line
            elif len(cells) != width:
                raise ValidationError(
                    {
                        "upload": _(
                            "Line %(line)s: expected %(expected)s fields but found %(found)s."
                        )
                        % {"line": reader.line_num, "expected": width, "found": len(cells)}
                    },
                    code="shape",
                )
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ValidationError(
            {"upload": _("Line %(line)s: %(reason)s.") % {"line": reader.line_num, "reason": exc}},
            code="csv",
        ) from exc


def _header(cells: list[str]) -> list[str]:
    names = [c.strip() for c in cells]
    if not names or all(not n for n in names):
        raise ValidationError({"upload": _("Line 1: the file has no header row.")}, code="header")
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        if not name:
            raise ValidationError(
                {"upload": _("Line 1: column %(n)s has no name.") % {"n": i}}, code="header"
            )
        if name in seen or name.startswith("_"):
            raise ValidationError(
                {
                    "upload": _("Line 1: column name “%(name)s” is repeated or starts with _.")
                    % {"name": name[:60]}
                },
                code="header",
            )
        seen.add(name)
    return names


def _sql_type(kind: str) -> str:
    postgres = connection.vendor == "postgresql"
    return {
        "int": "BIGINT" if postgres else "INTEGER",
        "numeric": "NUMERIC" if postgres else "REAL",
        "date": "DATE" if postgres else "TEXT",
        "text": "TEXT",
    }[kind]


def drop(*, resource: Resource) -> None:
    if resource.datastore_table:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{resource.datastore_table}"')


def load_csv(*, resource: Resource, stream: IO[bytes]) -> Resource:
    """Load a CSV into the resource's datastore table (replacing any earlier load)."""
    text = decode(stream)
    # Pass 1: check every line and infer the column types.
    header: list[str] | None = None
    kinds: list[str] = []
    longest: list[int] = []
    preview: list[list[str]] = []
    count = 0
    for _line, cells in _rows(text):
        if header is None:
            header = _header(cells)
            kinds = ["int"] * len(header)
            longest = [0] * len(header)
            continue
        count += 1
        if len(preview) < PREVIEW_ROWS:
            preview.append(cells)
        for i, value in enumerate(cells):
            if value == "":
                continue
            if len(value) > longest[i]:
                longest[i] = len(value)
            while not _fits(kinds[i], value):
                kinds[i] = TYPES[TYPES.index(kinds[i]) + 1]
    if header is None:
        raise ValidationError({"upload": _("Line 1: the file is empty.")}, code="empty")
    # Columns with no values at all are text.
    kinds = [k if longest[i] else "text" for i, k in enumerate(kinds)]

    drop(resource=resource)
    table = table_name(resource)
    columns = [f"c{i}" for i in range(len(header))]
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        definition = ", ".join(
            [
                f"_id {'BIGINT' if postgres else 'INTEGER'} PRIMARY KEY",
                *(f"{c} {_sql_type(k)}" for c, k in zip(columns, kinds, strict=True)),
            ]
        )
        cursor.execute(f'CREATE TABLE "{table}" ({definition})')
        rows = _typed_rows(text, kinds)
        if postgres:
            raw = cursor.cursor  # psycopg cursor under Django's wrapper
            with raw.copy(f'COPY "{table}" (_id, {", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * (len(columns) + 1))
            sql = f'INSERT INTO "{table}" (_id, {", ".join(columns)}) VALUES ({placeholders})'  # noqa: S608 - identifiers are ours; values are bound
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        for column, kind, size in zip(columns, kinds, longest, strict=True):
            if kind != "text" or size <= INDEX_MAX_TEXT:
                cursor.execute(f'CREATE INDEX "{table}_{column}" ON "{table}" ({column})')
        if postgres:
            cursor.execute(f'ANALYZE "{table}"')
    resource.datastore_table = table
    resource.datastore_fields = [
        {"id": name, "type": kind, "column": column}
        for name, kind, column in zip(header, kinds, columns, strict=True)
    ]
    resource.datastore_rows = count
    resource.datastore_status = Resource.DatastoreStatus.LOADED
    resource.datastore_error = ""
    resource.preview = {"header": header, "rows": preview}
    resource.save(
        update_fields=[
            "datastore_table",
            "datastore_fields",
            "datastore_rows",
            "datastore_status",
            "datastore_error",
            "preview",
        ]
    )
    return resource


def _typed_rows(text: str, kinds: list[str]) -> Iterator[tuple[Any, ...]]:
    number = 0
    first = True
    for _line, cells in _rows(text):
        if first:
            first = False
            continue
        number += 1
        yield (number, *(_convert(k, v) for k, v in zip(kinds, cells, strict=True)))
