"""A streaming CSV import framework: per-row validation, every problem with its line number,
and an all-or-nothing commit in bounded memory.

An importer declares its columns (the row schema) and what to do with each batch of good
rows; that is all. The ONS postcode directory importer in ``places`` is the model::

    COLUMNS = [
        Column("postcode", aliases=("pcds",), parse=parse_postcode),
        Column("latitude", aliases=("lat",), parse=parse_float(-90, 90)),
        Column("ward_code", aliases=("osward",), required=False, blank=True),
    ]

    def build(row: Row) -> Postcode:
        return Postcode(postcode=row.values["postcode"], latitude=row.values["latitude"], ...)

    result = run_import(upload, COLUMNS, handle_batch=bulk_create_rows(Postcode, build))

How it behaves:

* It reads the file once, line by line (bytes or text; UTF-8, with or without a byte order
  mark). A line that is not UTF-8 is reported with its number and reading goes on.
* The header is matched case-insensitively against each column's name and aliases; missing
  required columns are reported as "expected columns X; found Y".
* Each cell is parsed by its column's ``parse``; a parser raises ``RowError("message")`` (or
  ``ValueError``). An optional ``row_check`` sees the parsed row and returns ``RowIssue``\\ s
  or raises ``RowError(column, message)``: cross-column rules and duplicates live there.
* Every problem is collected with its line number (the first physical line of the record, so
  a quoted value spanning lines does not shift the count), up to ``max_issues``; the rest are
  counted (``more_issues``).
* Nothing is written unless the whole file is good. Where the data can be read twice (bytes,
  a string, a seekable file such as an upload) the file is first read through to find every
  problem, and only a good file is read again and written. Otherwise good rows are written as
  they come and, once a problem is found, nothing more is written, the rest is still read to
  report every problem, and the transaction is rolled back.
* Good rows go to ``handle_batch`` in batches of ``batch_size`` inside one transaction
  (``bulk_create_rows`` makes a bulk-creating one), and ``ImportRejected`` is raised for a bad
  file: nothing is kept. Memory stays bounded by one batch plus the issue list.
* ``errors_as_csv(result)`` is the downloadable error report (line, column, problem).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MAX_ISSUES = 1000
BATCH_SIZE = 2000


class RowError(ValueError):
    """A problem with a value or a row.

    ``RowError(message)`` from a column parser (the column is known), or
    ``RowError(column, message)`` from a row check that names the column itself.
    """

    def __init__(self, *args: str, column: str = "") -> None:
        if len(args) == 2:
            column, message = args
        elif len(args) == 1:
            (message,) = args
        else:
            raise TypeError("RowError(message) or RowError(column, message)")
        self.column = column
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Column:
    """One column of the row schema.

    ``name`` is the key in ``Row.values``; ``aliases`` are other header names accepted for it
    (ONS names such as ``pcds``). A column that is not ``required`` may be absent from the
    header; one that is ``blank`` may have empty cells (its value is then ``None``).
    """

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    blank: bool = False
    parse: Callable[[str], Any] = str

    def names(self) -> tuple[str, ...]:
        return tuple(n.strip().lower() for n in (self.name, *self.aliases))


@dataclass(frozen=True)
class RowIssue:
    """One problem: the line it is on (1 is the header), the column (or ""), and what."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)s, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportResult:
    rows_read: int = 0
    rows_imported: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    more_issues: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def errors(self) -> list[RowIssue]:
        """The problems found (at most ``max_issues`` of them)."""
        return self.issues

    @property
    def more_errors(self) -> int:
        """How many more problems there were beyond those listed."""
        return self.more_issues

    @property
    def total_issues(self) -> int:
        return len(self.issues) + self.more_issues


class ImportRejected(Exception):
    """The file had problems; nothing was imported. ``result.issues`` lists them by line."""

    def __init__(self, result: ImportResult):
        self.result = result
        super().__init__(
            _("%(count)s problem(s); nothing was imported") % {"count": result.total_issues}
        )

    @property
    def issues(self) -> list[RowIssue]:
        return self.result.issues


@dataclass(frozen=True)
class Row:
    """A parsed row: its first line number and ``{column name: parsed value}``."""

    line: int
    values: dict[str, Any]


# --- parsers for common kinds of value -----------------------------------------------------


def parse_float(low: float, high: float) -> Callable[[str], float]:
    """A number between ``low`` and ``high`` inclusive."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise RowError(_("%(value)r is not a number") % {"value": text}) from None
        if not low <= value <= high:  # also refuses nan
            raise RowError(
                _("%(value)s is out of range (%(low)s to %(high)s)")
                % {"value": value, "low": low, "high": high}
            )
        return value

    return parse


def parse_int(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """A whole number, optionally between ``low`` and ``high`` inclusive."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise RowError(_("%(value)r is not a whole number") % {"value": text}) from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise RowError(
                _("%(value)s is out of range (%(low)s to %(high)s)")
                % {"value": value, "low": low, "high": high}
            )
        return value

    return parse


def parse_date(text: str) -> dt.date:
    """A date as 2025-03-31 (ISO) or 31/03/2025 (UK order)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(_("%(value)r is not a date (use 2025-03-31 or 31/03/2025)") % {"value": text})


def parse_choice(choices: Iterable[str]) -> Callable[[str], str]:
    """One of ``choices``, matched case-insensitively; returns the choice as declared."""
    by_lower = {c.lower(): c for c in choices}

    def parse(text: str) -> str:
        try:
            return by_lower[text.lower()]
        except KeyError:
            raise RowError(
                _("%(value)r is not one of %(choices)s")
                % {"value": text, "choices": ", ".join(by_lower.values())}
            ) from None

    return parse


# --- reading -------------------------------------------------------------------------------


class TextLines:
    """Lines of text from bytes, a string, a binary or text file, or an iterable of strings.

    UTF-8, a byte order mark removed. Bytes are decoded line by line, so a line that is not
    UTF-8 is recorded in ``undecodable`` (line number, reason) and yielded with replacement
    characters, and reading goes on.
    """

    def __init__(self, data: bytes | str | IO[bytes] | IO[str] | Iterable[str]) -> None:
        if isinstance(data, bytes):
            data = io.BytesIO(data)
        elif isinstance(data, str):
            data = io.StringIO(data, newline="")
        self.data = data
        self.undecodable: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        data: Any = self.data  # a file, binary or text, or an iterable of str
        binary = hasattr(data, "read") and isinstance(data.read(0), bytes)
        raw: Any
        line: str
        for number, raw in enumerate(data, start=1):
            if binary:
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    self.undecodable.append((number, error.reason))
                    line = raw.decode("utf-8", errors="replace")
            else:
                line = raw
            yield line.lstrip("\ufeff") if number == 1 else line


def text_lines(data: Any) -> Iterator[str]:
    """Lines of text, UTF-8 with any BOM removed (see TextLines)."""
    return iter(TextLines(data))


_CSV_MESSAGES = {
    "unexpected end of data": gettext_noop('a quoted value is not closed (a " is missing)'),
    "',' expected after '\"'": gettext_noop(
        'a " inside a value must be doubled ("") and the value quoted'
    ),
}


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    for known, friendly in _CSV_MESSAGES.items():
        if known in text:
            return _(friendly)
    return _("the CSV is malformed (%(error)s)") % {"error": text}


def _parse_error(column: Column, raw: str, error: ValueError) -> str:
    if isinstance(error, RowError):
        return error.message
    if column.parse is int:
        return _("%(value)r is not a whole number") % {"value": raw}
    if column.parse is float:
        return _("%(value)r is not a number") % {"value": raw}
    return str(error) or _("%(value)r is not valid") % {"value": raw}


def _match_header(
    header: list[str], columns: Sequence[Column], report: Callable[[RowIssue], None]
) -> dict[str, int] | None:
    names = [h.strip().lower() for h in header]
    index: dict[str, int] = {}
    missing: list[Column] = []
    ok = True
    for column in columns:
        positions = [i for i, name in enumerate(names) if name in column.names()]
        if not positions:
            if column.required:
                missing.append(column)
            continue
        if len(positions) > 1:
            report(
                RowIssue(
                    1,
                    column.name,
                    _("the column appears more than once (%(found)s)")
                    % {"found": ", ".join(header[i].strip() for i in positions)},
                )
            )
            ok = False
        index[column.name] = positions[0]
    if missing:
        expected = ", ".join(
            c.name
            + (
                " (%s)" % (_("or %(aliases)s") % {"aliases": "/".join(c.aliases)})
                if c.aliases
                else ""
            )
            for c in missing
        )
        found = ", ".join(h.strip() for h in header if h.strip()) or _("no column names")
        report(
            RowIssue(
                1,
                "",
                _("expected columns %(expected)s; found %(found)s")
                % {"expected": expected, "found": found},
            )
        )
        ok = False
    return index if ok else None


def _scan(
    data: Any,
    columns: Sequence[Column],
    *,
    row_check: Callable[[Row], Iterable[RowIssue] | None] | None,
    result: ImportResult,
    report: Callable[[RowIssue], None],
) -> Iterator[Row]:
    """Read the file once: report every problem, count the rows, yield each good row."""
    lines = TextLines(data)
    reader = csv.reader(lines, strict=True)

    def undecodable_upto(line: int) -> bool:
        if not lines.undecodable:
            return False
        message = _("this line is not UTF-8 text: save the file as “CSV UTF-8” and try again")
        for number, _reason in lines.undecodable:
            if number <= line:
                report(RowIssue(number, "", message))
        lines.undecodable = [u for u in lines.undecodable if u[0] > line]
        return True

    index: dict[str, int] | None = None
    while True:
        first_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except UnicodeDecodeError as error:  # a text stream opened with another encoding
            report(
                RowIssue(
                    first_line,
                    "",
                    _("the file is not UTF-8 text (%(reason)s)") % {"reason": error.reason},
                )
            )
            return
        except csv.Error as error:
            undecodable_upto(reader.line_num)
            report(RowIssue(first_line, "", _csv_problem(error)))
            if index is None:
                return  # no usable header
            continue
        if undecodable_upto(reader.line_num):
            if index is None:
                return
            continue
        if index is None:  # the header
            index = _match_header(cells, columns, report)
            if index is None:
                return
            continue
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
                report(RowIssue(first_line, column.name, _("is empty")))
                row_ok = False
                continue
            try:
                values[column.name] = column.parse(raw)
            except ValueError as error:  # RowError is a ValueError
                report(RowIssue(first_line, column.name, _parse_error(column, raw, error)))
                row_ok = False
        row = Row(first_line, values)
        if row_ok and row_check is not None:
            try:
                problems = list(row_check(row) or ())
            except RowError as error:
                problems = [RowIssue(first_line, error.column, error.message)]
            for problem in problems:
                report(problem)
            row_ok = not problems
        if row_ok:
            yield row
    if index is None:
        report(RowIssue(1, "", _("the file is empty")))


def _rewinder(data: Any) -> Callable[[], Any] | None:
    """A way to read ``data`` again from where it starts now, if there is one."""
    if isinstance(data, bytes | str):
        return lambda: data
    seekable = getattr(data, "seekable", None)
    if callable(seekable) and seekable():
        position = data.tell()

        def rewind() -> Any:
            data.seek(position)
            return data

        return rewind
    return None


def run_import(
    data: Any,
    columns: Sequence[Column],
    *,
    handle_batch: Callable[[list[Row]], int | None],
    row_check: Callable[[Row], Iterable[RowIssue] | None] | None = None,
    batch_size: int = BATCH_SIZE,
    max_issues: int = MAX_ISSUES,
    validate_first: bool | None = None,
) -> ImportResult:
    """Validate every row and import the file in one transaction, or nothing at all.

    ``data`` is bytes, a string, a binary or text file object (a Django ``UploadedFile``, an
    open file) or an iterable of lines. ``handle_batch`` receives lists of good ``Row``\\ s and
    returns how many it imported (``None`` means all of them). Returns the ``ImportResult``;
    raises ``ImportRejected`` (after rolling back) if any problem was found.

    ``validate_first`` (the default wherever the data can be read twice: bytes, a string, a
    seekable file) reads the whole file once to find problems before anything is written, so
    a bad file costs no writes and holds no write transaction open; then it reads it again to
    import (parsers run twice, ``row_check`` once). Otherwise rows are written as they come
    and rolled back if a problem turns up later.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    result = ImportResult()

    def report(issue: RowIssue) -> None:
        if len(result.issues) < max_issues:
            result.issues.append(issue)
        else:
            result.more_issues += 1

    rewind = _rewinder(data)
    if validate_first is None:
        validate_first = rewind is not None
    elif validate_first and rewind is None:
        raise ValueError("validate_first needs data that can be read twice")
    if validate_first and rewind is not None:
        for _row in _scan(rewind(), columns, row_check=row_check, result=result, report=report):
            pass
        if not result.ok:
            raise ImportRejected(result)
        # The second reading imports; it checks again (the file could have changed) but
        # neither counts rows twice nor runs the row check, which may keep state.
        result.rows_read = 0
        rows = _scan(rewind(), columns, row_check=None, result=result, report=report)
    else:
        rows = _scan(data, columns, row_check=row_check, result=result, report=report)

    batch: list[Row] = []

    def flush() -> None:
        if batch and result.ok:
            try:
                with transaction.atomic():  # a savepoint: a refused batch leaves no trace
                    imported = handle_batch(list(batch))
            except (DatabaseError, ValidationError) as error:
                detail = "; ".join(error.messages) if isinstance(error, ValidationError) else error
                report(
                    RowIssue(
                        batch[0].line,
                        "",
                        _("lines %(first)s to %(last)s could not be saved (%(error)s)")
                        % {"first": batch[0].line, "last": batch[-1].line, "error": detail},
                    )
                )
            else:
                result.rows_imported += len(batch) if imported is None else imported
        batch.clear()

    with transaction.atomic():
        for row in rows:
            if result.ok:
                batch.append(row)
                if len(batch) >= batch_size:
                    flush()
        flush()
        if not result.ok:
            raise ImportRejected(result)
    return result


def bulk_create_rows(
    model: type[models.Model],
    build: Callable[[Row], models.Model | None],
    **bulk_create_options: Any,
) -> Callable[[list[Row]], int]:
    """A ``handle_batch`` that builds one unsaved instance per row and bulk-creates them.

    ``build`` may return ``None`` to skip a row. ``bulk_create_options`` go to
    ``bulk_create`` (``update_conflicts=True, unique_fields=[...], update_fields=[...]`` for
    an upsert).
    """

    def handle(rows: list[Row]) -> int:
        objects = [obj for obj in (build(row) for row in rows) if obj is not None]
        model._default_manager.bulk_create(objects, **bulk_create_options)
        return len(objects)

    return handle


def issues_as_csv(issues: list[RowIssue], more: int = 0) -> str:
    """The downloadable error report: one row per problem with its line and column."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_("line"), _("column"), _("problem")])
    for issue in issues:
        writer.writerow([issue.line, issue.column, _csv_safe(issue.message)])
    if more:
        writer.writerow(["", "", _("…and %(count)s more problems") % {"count": more}])
    return out.getvalue()


def errors_as_csv(result: ImportResult) -> str:
    """The downloadable error report for an import: line, column, problem."""
    return issues_as_csv(result.issues, result.more_issues)


def _csv_safe(text: str) -> str:
    # The report is opened in spreadsheets: a message echoing a cell that starts with = + - @
    # must not become a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
