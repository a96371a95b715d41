"""Reading and writing pabulib's .pb format (pabulib.org, "The .pb File Format").

A .pb file is UTF-8 text in three sections, each a title line (``META``, ``PROJECTS``,
``VOTES``), a header line and ``;``-separated rows with CSV quoting; lists (a ballot's
projects, its points) are comma-separated. :func:`parse_pb` reads the whole file and either
returns an :class:`~.election.Election` or raises :class:`PbFormatError` listing *every*
problem with its section, line and reason, so nothing is imported from a malformed file.

What is checked (each failure is a problem):

* the three sections appear once each, in the order META, PROJECTS, VOTES, each with a
  header; META's header is ``key;value``; PROJECTS has ``project_id`` and ``cost``; VOTES has
  ``voter_id`` and ``vote``, and ``points`` for cumulative and scoring ballots;
* every row has as many fields as its header; META keys are unique;
* META ``budget`` is a non-negative decimal and ``vote_type`` one of approval, choose-1,
  cumulative, scoring, ordinal; ``num_projects`` and ``num_votes``, when given, match the rows;
* project ids are unique, non-empty and contain no comma; costs are non-negative decimals;
* voter ids are unique and non-empty; a ballot lists known projects, each once; its points are
  decimals, as many as its projects, and not negative on a cumulative ballot.

Decimals use a point (``1500.50``); a decimal comma is refused rather than guessed. Blank
lines are skipped. Ballot-length rules (``min_length``, ``max_length``) and a META ``rule``
that pabulib does not list are not errors: the votes were cast and are counted; they are
returned as :attr:`ParsedFile.warnings`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .election import POINTS_VOTE_TYPES, VOTE_TYPES, Ballot, Election, Project
from .numbers import format_decimal, parse_decimal

SECTIONS = ("META", "PROJECTS", "VOTES")
KNOWN_RULES = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-exclusive",
    "greedy-custom",
    "equalshares",
    "equalshares-comparison",
    "equalshares/add1",
    "equalshares/add1-comparison",
    "unknown",
)
_MAX_REPORTED = 200


@dataclass(frozen=True)
class PbProblem:
    """One problem in a .pb file: the section (``META``, ``PROJECTS``, ``VOTES`` or ``FILE``
    for the file's structure), the line (1-based; 0 when it concerns the whole file)."""

    section: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.section} line {self.line}" if self.line else self.section
        return f"{where}: {self.reason}"


class PbFormatError(ValueError):
    """A malformed .pb file. ``problems`` lists every problem found (the first 200)."""

    def __init__(self, problems: list[PbProblem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"malformed .pb file ({len(problems)} problems):\n{shown}{more}")


@dataclass(frozen=True)
class ParsedFile:
    election: Election
    warnings: tuple[PbProblem, ...]


def read_pb(path: str | Path) -> Election:
    """Parse a .pb file from disk (see :func:`parse_pb`)."""
    return parse_pb(Path(path).read_text(encoding="utf-8-sig"))


def parse_pb(text: str) -> Election:
    """Parse .pb text into an election, or raise :class:`PbFormatError` with every problem."""
    return parse_pb_with_warnings(text).election


def parse_pb_with_warnings(text: str) -> ParsedFile:
    """Like :func:`parse_pb`, also returning what is unusual but countable."""
    return _Parser(text).run()


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the line each starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    previous = 0
    for row in reader:
        yield previous + 1, row
        previous = reader.line_num


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.removeprefix("\ufeff")
        self.problems: list[PbProblem] = []
        self.warnings: list[PbProblem] = []
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.projects: dict[str, Project] = {}
        self.project_columns: list[str] = []
        self.ballots: list[Ballot] = []
        self.vote_columns: list[str] = []
        self.voter_ids: set[str] = set()
        self.section = ""
        self.header: list[str] | None = None
        self.header_line = 0
        self.seen: list[str] = []
        self.vote_type = ""

    def problem(self, section: str, line: int, reason: str) -> None:
        self.problems.append(PbProblem(section, line, reason))

    def run(self) -> ParsedFile:
        try:
            for line, row in _rows(self.text):
                if len(self.problems) > _MAX_REPORTED:
                    break
                self.row(line, row)
        except csv.Error as error:
            self.problem(self.section or "FILE", 0, f"unreadable CSV: {error}")
        self.finish()
        if self.problems:
            raise PbFormatError(self.problems[:_MAX_REPORTED])
        election = Election(
            meta=self.meta,
            projects=self.projects,
            ballots=tuple(self.ballots),
            project_columns=tuple(self.project_columns),
            vote_columns=tuple(self.vote_columns),
        )
        return ParsedFile(election=election, warnings=tuple(self.warnings))

    def row(self, line: int, row: list[str]) -> None:
        if not any(cell.strip() for cell in row):
            return
        title = row[0].strip().upper()
        if title in SECTIONS and not any(cell.strip() for cell in row[1:]):
            self.start_section(line, title)
            return
        if not self.section:
            self.problem("FILE", line, "the file must start with a META line")
            self.section = "?"
            return
        if self.section == "?":
            return
        if self.header is None:
            self.read_header(line, row)
            return
        if len(row) != len(self.header):
            self.problem(
                self.section,
                line,
                f"{len(row)} fields where the header at line {self.header_line} "
                f"has {len(self.header)}",
            )
            return
        record = {name: cell.strip() for name, cell in zip(self.header, row, strict=True)}
        if self.section == "META":
            self.meta_row(line, record)
        elif self.section == "PROJECTS":
            self.project_row(line, record)
        else:
            self.vote_row(line, record)

    def start_section(self, line: int, title: str) -> None:
        if title in self.seen:
            self.problem(title, line, f"a second {title} section")
        expected = SECTIONS[len(self.seen)] if len(self.seen) < len(SECTIONS) else None
        if title not in self.seen and title != expected:
            self.problem(title, line, f"{title} comes before {expected}")
        if self.section == "META" and title != "META":
            self.check_meta()
        self.seen.append(title)
        self.section = title
        self.header = None

    def read_header(self, line: int, row: list[str]) -> None:
        header = [cell.strip() for cell in row]
        self.header = header
        self.header_line = line
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            self.problem(self.section, line, f"column {', '.join(duplicated)} appears twice")
        if self.section == "META":
            if [name.lower() for name in header] != ["key", "value"]:
                self.problem("META", line, "the header must be key;value")
                self.header = ["key", "value"]
            else:
                self.header = ["key", "value"]
            return
        required: tuple[str, ...] = (
            ("project_id", "cost") if self.section == "PROJECTS" else ("voter_id", "vote")
        )
        if self.section == "VOTES" and self.vote_type in POINTS_VOTE_TYPES:
            required = (*required, "points")
        missing = [name for name in required if name not in header]
        if missing:
            self.problem(self.section, line, f"missing column {', '.join(missing)}")
        if self.section == "PROJECTS":
            self.project_columns = [n for n in header if n not in ("project_id", "cost")]
        else:
            self.vote_columns = [n for n in header if n not in ("voter_id", "vote", "points")]

    def meta_row(self, line: int, record: dict[str, str]) -> None:
        key, value = record["key"], record["value"]
        if not key:
            self.problem("META", line, "empty key")
        elif key in self.meta:
            self.problem(
                "META", line, f"{key} is given twice (first at line {self.meta_lines[key]})"
            )
        else:
            self.meta[key] = value
            self.meta_lines[key] = line

    def check_meta(self) -> None:
        line_of = self.meta_lines.get
        budget = self.meta.get("budget")
        if budget is None:
            self.problem("META", 0, "budget is missing")
        else:
            value = parse_decimal(budget)
            if value is None or value < 0:
                self.problem(
                    "META", line_of("budget", 0), f"budget {budget!r} is not a decimal >= 0"
                )
        vote_type = self.meta.get("vote_type")
        if vote_type is None:
            self.problem("META", 0, "vote_type is missing")
        elif vote_type not in VOTE_TYPES:
            self.problem(
                "META",
                line_of("vote_type", 0),
                f"vote_type {vote_type!r} is not one of {', '.join(VOTE_TYPES)}",
            )
        else:
            self.vote_type = vote_type
        rule = self.meta.get("rule")
        if rule is not None and rule not in KNOWN_RULES:
            self.warnings.append(
                PbProblem("META", line_of("rule", 0), f"rule {rule!r} is not one pabulib lists")
            )
        for key in ("num_projects", "num_votes", "min_length", "max_length"):
            value_text = self.meta.get(key)
            if value_text is not None and not value_text.isdigit():
                self.problem("META", line_of(key, 0), f"{key} {value_text!r} is not a whole number")
        threshold = self.meta.get("min_project_score_threshold")
        if threshold is not None and parse_decimal(threshold) is None:
            self.problem(
                "META",
                line_of("min_project_score_threshold", 0),
                f"min_project_score_threshold {threshold!r} is not a number",
            )

    def project_row(self, line: int, record: dict[str, str]) -> None:
        project_id = record.get("project_id", "")
        cost_text = record.get("cost", "")
        if not project_id:
            self.problem("PROJECTS", line, "empty project_id")
            return
        if "," in project_id:
            self.problem("PROJECTS", line, f"project_id {project_id!r} contains a comma")
            return
        if project_id in self.projects:
            self.problem("PROJECTS", line, f"project {project_id} appears twice")
            return
        cost = parse_decimal(cost_text)
        if cost is None:
            hint = " (use a decimal point, not a comma)" if "," in cost_text else ""
            self.problem(
                "PROJECTS",
                line,
                f"cost {cost_text!r} of project {project_id} is not a number{hint}",
            )
            return
        if cost < 0:
            self.problem("PROJECTS", line, f"project {project_id} has a negative cost")
            return
        fields = {k: v for k, v in record.items() if k not in ("project_id", "cost")}
        self.projects[project_id] = Project(project_id=project_id, cost=cost, fields=fields)

    def vote_row(self, line: int, record: dict[str, str]) -> None:
        voter_id = record.get("voter_id", "")
        if not voter_id:
            self.problem("VOTES", line, "empty voter_id")
            return
        if voter_id in self.voter_ids:
            self.problem("VOTES", line, f"voter {voter_id} appears twice")
            return
        self.voter_ids.add(voter_id)
        vote_text = record.get("vote", "")
        chosen = [item.strip() for item in vote_text.split(",")] if vote_text else []
        if any(not item for item in chosen):
            self.problem("VOTES", line, f"voter {voter_id}: an empty project id in {vote_text!r}")
            return
        unknown = [item for item in chosen if item not in self.projects]
        if unknown:
            self.problem("VOTES", line, f"voter {voter_id}: unknown project {', '.join(unknown)}")
            return
        if len(set(chosen)) != len(chosen):
            self.problem("VOTES", line, f"voter {voter_id}: a project is listed twice")
            return
        points: tuple[Fraction, ...] | None = None
        points_text = record.get("points")
        uses_points = self.vote_type in POINTS_VOTE_TYPES or self.vote_type == "ordinal"
        if points_text is not None and uses_points and (points_text or self.vote_type != "ordinal"):
            parsed = [parse_decimal(x) for x in points_text.split(",")] if points_text else []
            if any(value is None for value in parsed):
                self.problem(
                    "VOTES", line, f"voter {voter_id}: points {points_text!r} are not numbers"
                )
                return
            values = tuple(value for value in parsed if value is not None)
            if len(values) != len(chosen):
                self.problem(
                    "VOTES",
                    line,
                    f"voter {voter_id}: {len(values)} points for {len(chosen)} projects",
                )
                return
            if self.vote_type == "cumulative" and any(value < 0 for value in values):
                self.problem("VOTES", line, f"voter {voter_id}: negative points")
                return
            points = values
        fields = {k: v for k, v in record.items() if k not in ("voter_id", "vote", "points")}
        if points_text is not None and not uses_points:
            fields["points"] = points_text
        self.ballots.append(
            Ballot(voter_id=voter_id, projects=tuple(chosen), points=points, fields=fields)
        )
        self.check_length(line, voter_id, len(chosen))

    def check_length(self, line: int, voter_id: str, length: int) -> None:
        for key, too in (("min_length", "short"), ("max_length", "long")):
            limit = self.meta.get(key, "")
            if limit.isdigit() and (
                (key == "min_length" and length < int(limit))
                or (key == "max_length" and length > int(limit))
            ):
                self.warnings.append(
                    PbProblem("VOTES", line, f"voter {voter_id}: ballot too {too} ({key} {limit})")
                )

    def finish(self) -> None:
        if self.section == "META":
            self.check_meta()
        for title in SECTIONS:
            if title not in self.seen:
                self.problem("FILE", 0, f"the {title} section is missing")
        if self.problems:
            return
        for key, count, section in (
            ("num_projects", len(self.projects), "PROJECTS"),
            ("num_votes", len(self.ballots), "VOTES"),
        ):
            stated = self.meta.get(key)
            if stated is not None and int(stated) != count:
                self.problem(
                    "META",
                    self.meta_lines[key],
                    f"{key} is {stated} but the {section} section has {count} rows",
                )


def write_pb(election: Election) -> str:
    """The election as .pb text. ``num_projects`` and ``num_votes`` in META are written as
    the actual counts. Raises ``ValueError`` for what the format cannot hold (a project id
    with a comma, a cost that no decimal writes exactly)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    for key, count in (
        ("num_projects", len(election.projects)),
        ("num_votes", len(election.ballots)),
    ):
        if key in meta:
            meta[key] = str(count)
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        if key.strip().upper() in SECTIONS and not value.strip():
            raise ValueError(f"META key {key!r} with an empty value reads as a section title")
        writer.writerow([key, value])

    out.write("PROJECTS\n")
    project_columns = _columns(
        election.project_columns, (p.fields for p in election.projects.values())
    )
    writer.writerow(["project_id", "cost", *project_columns])
    for project in election.projects.values():
        if "," in project.project_id or not project.project_id.strip():
            raise ValueError(f"project id {project.project_id!r} cannot be written")
        writer.writerow(
            [project.project_id, format_decimal(project.cost)]
            + [project.fields.get(column, "") for column in project_columns]
        )

    out.write("VOTES\n")
    with_points = election.has_points or election.vote_type in POINTS_VOTE_TYPES
    vote_columns = _columns(election.vote_columns, (b.fields for b in election.ballots))
    writer.writerow(["voter_id", "vote", *(["points"] if with_points else []), *vote_columns])
    for ballot in election.ballots:
        row = [ballot.voter_id, ",".join(ballot.projects)]
        if with_points:
            row.append(",".join(format_decimal(x) for x in ballot.points or ()))
        row.extend(ballot.fields.get(column, "") for column in vote_columns)
        writer.writerow(row)
    return out.getvalue()


def _columns(declared: tuple[str, ...], field_maps: Iterable[Mapping[str, str]]) -> list[str]:
    columns = list(declared)
    for fields in field_maps:
        for key in fields:
            if key not in columns:
                columns.append(key)
    return columns
