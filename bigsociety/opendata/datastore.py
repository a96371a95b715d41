"""Reading the datastore: CKAN's ``datastore_search`` and the CSV dump.

Field names come from ``Resource.datastore_fields`` and are mapped to the table's own column
names (``c0``, ``c1`` ...), so nothing a caller sends becomes an SQL identifier. Values are
converted to the column's type first, so a bad filter is a validation error naming the field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from .models import Resource
from .services.datastore import _parse_date

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "DatastoreError", "dump_csv", "search_records"]

DEFAULT_LIMIT = 100
MAX_LIMIT = 32000


class DatastoreError(ValueError):
    """Bad parameters: ``errors`` maps each parameter to its messages (CKAN's 409)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(errors))
        self.errors = errors


@dataclass
class Column:
    id: str
    type: str
    column: str


def _columns(resource: Resource) -> list[Column]:
    return [Column(f["id"], f["type"], f["column"]) for f in resource.datastore_fields]


def _value(column: Column, raw: Any, param: str) -> Any:
    if raw is None:
        return None
    text = str(raw).strip()
    try:
        if column.type == "int":
            if isinstance(raw, bool):
                raise ValueError
            return int(text)
        if column.type == "numeric":
            return Decimal(text) if connection.vendor == "postgresql" else float(text)
        if column.type == "date":
            parsed = _parse_date(text[:10])
            if parsed is None:
                raise ValueError
            return parsed if connection.vendor == "postgresql" else parsed.isoformat()
    except (ValueError, ArithmeticError) as exc:
        raise DatastoreError(
            {param: [f"{column.id!r} is {column.type}: cannot use {text[:40]!r}"]}
        ) from exc
    return text


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _where(
    resource: Resource, columns: dict[str, Column], filters: Any, q: Any
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if filters:
        if not isinstance(filters, dict):
            raise DatastoreError({"filters": ["filters must be a JSON object {field: value}"]})
        for name, wanted in filters.items():
            column = _id_column(columns, name, "filters")
            values = wanted if isinstance(wanted, list) else [wanted]
            if not values or any(isinstance(v, dict | list) for v in values):
                raise DatastoreError({"filters": [f"{name!r}: give a value or a list of values"]})
            converted = [_value(column, v, "filters") for v in values]
            if column == "_id":
                clauses.append("_id IN (" + ", ".join(["%s"] * len(converted)) + ")")
            else:
                clauses.append(f"{column.column} IN (" + ", ".join(["%s"] * len(converted)) + ")")
            params.extend(converted)
    if q:
        if isinstance(q, dict):
            for name, text in q.items():
                column = _id_column(columns, name, "q")
                if column == "_id":
                    raise DatastoreError({"q": ["_id cannot be searched as text"]})
                clauses.append(f"CAST({column.column} AS TEXT) LIKE %s")
                params.append(f"%{text}%")
        else:
            text_columns = [c for c in columns.values() if c.type == "text"]
            if text_columns:
                clauses.append("(" + " OR ".join(f"{c.column} LIKE %s" for c in text_columns) + ")")
                params.extend([f"%{q}%"] * len(text_columns))
            else:
                clauses.append("1=0")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _id_column(columns: dict[str, Column], name: str, param: str) -> Any:
    if name == "_id":
        return "_id"
    if name not in columns:
        raise DatastoreError({param: [f"field {name!r} not in the table"]})
    return columns[name]


def _order(columns: dict[str, Column], sort: Any) -> str:
    if not sort:
        return " ORDER BY _id"
    parts = sort if isinstance(sort, list) else str(sort).split(",")
    terms = []
    for part in parts:
        bits = str(part).strip().split()
        if not bits:
            continue
        name = bits[0].strip('"')
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if direction not in ("asc", "desc") or len(bits) > 2:
            raise DatastoreError({"sort": [f"cannot sort by {part!r}: use 'field [asc|desc]'"]})
        column = _id_column(columns, name, "sort")
        terms.append(f"{'_id' if column == '_id' else column.column} {direction.upper()}")
    return " ORDER BY " + ", ".join([*terms, "_id"])


def search_records(
    *,
    resource: Resource,
    filters: Any = None,
    q: Any = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    sort: Any = None,
    fields: list[str] | None = None,
    include_total: bool = True,
    records_format: str = "objects",
) -> dict[str, Any]:
    """CKAN's datastore_search result for one loaded resource."""
    all_columns = _columns(resource)
    columns = {c.id: c for c in all_columns}
    if fields:
        chosen = [c for c in (_id_column(columns, f, "fields") for f in fields)]
    else:
        chosen = ["_id", *all_columns]
    if records_format not in ("objects", "lists"):
        raise DatastoreError({"records_format": ["use objects or lists"]})
    where, params = _where(resource, columns, filters, q)
    order = _order(columns, sort)
    select = ", ".join("_id" if c == "_id" else c.column for c in chosen)
    table = resource.datastore_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT {select} FROM "{table}"{where}{order} LIMIT %s OFFSET %s',  # noqa: S608 - identifiers are ours; values are bound
            [*params, limit, offset],
        )
        rows = cursor.fetchall()
        total = None
        if include_total:
            if not where and resource.datastore_rows is not None:
                total = resource.datastore_rows
            else:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"{where}', params)  # noqa: S608 - identifiers are ours; values are bound
                total = int(cursor.fetchone()[0])
    names = ["_id" if c == "_id" else c.id for c in chosen]
    if records_format == "lists":
        records: list[Any] = [[_json(v) for v in row] for row in rows]
    else:
        records = [dict(zip(names, (_json(v) for v in row), strict=True)) for row in rows]
    result: dict[str, Any] = {
        "resource_id": str(resource.uuid),
        "fields": [
            {"id": "_id", "type": "int"} if c == "_id" else {"id": c.id, "type": c.type}
            for c in chosen
        ],
        "records": records,
        "limit": limit,
        "offset": offset,
        "filters": filters or {},
        "include_total": include_total,
        "records_format": records_format,
        "total_was_estimated": False,
    }
    if q:
        result["q"] = q
    if sort:
        result["sort"] = sort
    if total is not None:
        result["total"] = total
    return result


def dump_csv(resource: Resource, chunk: int = 5000) -> Iterator[str]:
    """The loaded table as CSV text, in row order, streamed a chunk at a time."""
    columns = _columns(resource)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["_id", *(c.id for c in columns)])
    yield buffer.getvalue()
    last = 0
    select = ", ".join(["_id", *(c.column for c in columns)])
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT {select} FROM "{resource.datastore_table}" WHERE _id > %s '  # noqa: S608 - identifiers are ours; values are bound
                "ORDER BY _id LIMIT %s",
                [last, chunk],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in rows:
            writer.writerow(["" if v is None else _json(v) for v in row])
        last = rows[-1][0]
        yield buffer.getvalue()
