"""A streaming CSV import framework: per-row validation, every problem with its line number,
and an all-or-nothing commit in bounded memory.

An importer declares its columns and what to do with each batch of good rows::

    COLUMNS = [
        Column("postcode", aliases=("pcds",), parse=parse_postcode),
        Column("latitude", aliases=("lat",), parse=parse_float(-90, 90)),
        Column("ward_code", required=False),
    ]
    result = run_import(upload, COLUMNS, handle_batch=save_postcodes)

``run_import`` reads the file once, row by row. Good rows are handed to ``handle_batch`` in
batches while no problem has been seen; once one is found it keeps reading only to report every
other problem, then raises ``ImportRejected`` so the surrounding transaction rolls back and
nothing is kept. ``issues_as_csv`` makes the downloadable error report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

MAX_ISSUES = 1000


class RowError(ValueError):
    """Raised by a parser or row check: ``message`` says what is wrong with the value."""


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    blank: bool = False
    parse: Callable[[str], Any] = str

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class RowIssue:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    rows_read: int = 0
    rows_imported: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    more_issues: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues


class ImportRejected(Exception):
    """The file had problems; nothing was imported. ``result.issues`` lists them by line."""

    def __init__(self, result: ImportResult):
        self.result = result
        total = len(result.issues) + result.more_issues
        super().__init__(f"{total} problem(s); nothing was imported")

    @property
    def issues(self) -> list[RowIssue]:
        return self.result.issues


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]


def parse_float(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise RowError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise RowError(f"{value} is out of range ({low} to {high})")
        return value

    return parse


class UndecodableLine(Exception):
    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")


def text_lines(data: bytes | str | IO[bytes] | IO[str] | Iterable[str]) -> Iterator[str]:
    """Lines of text from bytes, a string, a binary or text file: UTF-8, a BOM removed.

    Bytes are decoded line by line, so an undecodable byte is reported (UndecodableLine) with
    the physical line it is on.
    """
    if isinstance(data, bytes):
        data = io.BytesIO(data)
    if isinstance(data, str):
        data = io.StringIO(data)
    binary = hasattr(data, "read") and isinstance(data.read(0), bytes)  # type: ignore[union-attr]
    for number, raw in enumerate(data, start=1):  # type: ignore[arg-type]
        if binary:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise UndecodableLine(number, error.reason) from error
        else:
            line = raw
        yield line.lstrip("\ufeff") if number == 1 else line


def run_import(
    data: Any,
    columns: list[Column],
    *,
    handle_batch: Callable[[list[Row]], int | None],
    row_check: Callable[[Row], list[RowIssue]] | None = None,
    batch_size: int = 2000,
    max_issues: int = MAX_ISSUES,
) -> ImportResult:
    """Validate every row and import the file in one transaction, or nothing at all."""
    result = ImportResult()

    def report(issue: RowIssue) -> None:
        if len(result.issues) < max_issues:
            result.issues.append(issue)
        else:
            result.more_issues += 1

    with transaction.atomic():
        reader = csv.reader(text_lines(data))
        batch: list[Row] = []

        def flush() -> None:
            if batch and result.ok:
                imported = handle_batch(list(batch))
                result.rows_imported += len(batch) if imported is None else imported
            batch.clear()

        try:
            header = next(reader, None)
            if header is None:
                report(RowIssue(1, "", "the file is empty"))
                raise ImportRejected(result)
            names = [h.strip().lower() for h in header]
            index: dict[str, int] = {}
            missing = []
            for column in columns:
                found = next((names.index(n) for n in column.names() if n in names), None)
                if found is None:
                    if column.required:
                        missing.append(column)
                else:
                    index[column.name] = found
            if missing:
                expected = ", ".join(
                    c.name + (f" (or {'/'.join(c.aliases)})" if c.aliases else "") for c in missing
                )
                report(RowIssue(1, "", f"expected columns {expected}; found {', '.join(header)}"))
                raise ImportRejected(result)
            for cells in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                result.rows_read += 1
                values: dict[str, Any] = {}
                row_ok = True
                for column in columns:
                    i = index.get(column.name)
                    raw = cells[i].strip() if i is not None and i < len(cells) else ""
                    if raw == "":
                        if column.blank or i is None:
                            values[column.name] = None
                            continue
                        report(RowIssue(line, column.name, "is empty"))
                        row_ok = False
                        continue
                    try:
                        values[column.name] = column.parse(raw)
                    except (RowError, ValueError) as error:
                        report(RowIssue(line, column.name, str(error)))
                        row_ok = False
                row = Row(line, values)
                if row_ok and row_check is not None:
                    problems = row_check(row)
                    for problem in problems:
                        report(problem)
                    row_ok = not problems
                if row_ok and result.ok:
                    batch.append(row)
                    if len(batch) >= batch_size:
                        flush()
        except UndecodableLine as error:
            report(RowIssue(error.line, "", f"the file is not UTF-8 text ({error.reason})"))
        except UnicodeDecodeError as error:  # a text stream opened with the wrong encoding
            report(
                RowIssue(reader.line_num + 1, "", f"the file is not UTF-8 text ({error.reason})")
            )
        except csv.Error as error:
            report(RowIssue(reader.line_num, "", f"the CSV is malformed: {error}"))
        flush()
        if not result.ok:
            raise ImportRejected(result)
    return result


def issues_as_csv(issues: list[RowIssue], more: int = 0) -> str:
    """The downloadable error report: one row per problem with its line and column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "column", "problem"])
    for issue in issues:
        writer.writerow([issue.line, issue.column, issue.message])
    if more:
        writer.writerow(["", "", f"…and {more} more problems"])
    return out.getvalue()
