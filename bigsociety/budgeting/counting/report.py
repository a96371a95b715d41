"""The results of a .pb file as JSON or text: what ``manage.py pb_results`` prints."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from .election import Election
from .fairness import Fairness, fairness
from .greedy import _show
from .outcome import Outcome
from .pabulib import parse_pb_with_warnings
from .rules import RULES, count, rule_for_file

FORMATS = ("json", "text")


def results_for_file(path: str | Path, *, rule: str | None = None, fmt: str = "json") -> str:
    """Count a .pb file with ``rule`` (default: the rule its META names) and render the result.

    Raises :class:`~.pabulib.PbFormatError` for a malformed file and ``ValueError`` for an
    unknown rule or format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if rule is not None and rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; one of {', '.join(RULES)}")
    parsed = parse_pb_with_warnings(Path(path).read_text(encoding="utf-8-sig"))
    election = parsed.election
    outcome = count(election, rule) if rule else rule_for_file(election).run(election)
    indicators = fairness(election, outcome)
    warnings = [str(w) for w in parsed.warnings]
    if fmt == "json":
        data = outcome.to_dict()
        data["file_rule"] = election.rule
        data["fairness"] = indicators.to_dict()
        data["file_warnings"] = {"count": len(warnings), "first": warnings[:20]}
        return json.dumps(data, ensure_ascii=False, indent=2)
    return render_text(election, outcome, indicators, warnings)


def render_text(
    election: Election, outcome: Outcome, indicators: Fairness, warnings: list[str]
) -> str:
    names = {pid: project.name for pid, project in election.projects.items()}
    lines = [
        f"Rule: {outcome.rule} (the file says: {election.rule})",
        f"Budget: {_show(outcome.budget)}   spent: {_show(outcome.spent)}   "
        f"left: {_show(outcome.budget - outcome.spent)}",
        f"Voters: {indicators.voters}   projects: {len(election.projects)}",
    ]
    lines.extend(f"Note: {note}" for note in outcome.notes)
    lines.append("")
    lines.append(f"Funded ({len(outcome.selected)}), in the order they were funded:")
    for project_id in outcome.selected:
        cost = election.projects[project_id].cost
        lines.append(f"  {project_id:>8}  {_show(cost):>12}  {names[project_id]}")
    lines.append("")
    lines.append("Round by round:")
    for r in outcome.rounds:
        detail = []
        if r.score is not None:
            detail.append(f"score {_show(r.score)}")
        if r.payment is not None:
            detail.append(f"each supporter paid up to {_show(r.payment)}")
            detail.append(f"{r.paid_in_full} paid in full")
            if r.paid_less:
                detail.append(
                    f"{r.paid_less} gave their last {_show(r.paid_less_total or Fraction(0))}"
                )
        if r.effective_votes is not None:
            detail.append(f"effective votes {_show(r.effective_votes)}")
        if r.load is not None:
            detail.append(f"time {_show(r.load)}")
        extra = f" ({'; '.join(detail)})" if detail else ""
        note = f" {r.note}" if r.note else ""
        lines.append(
            f"  {r.number:>3}. {r.project_id}: {r.decision}, cost {_show(r.cost)}, "
            f"left {_show(r.remaining)}{extra}{note}"
        )
    if outcome.unfunded:
        lines.append("")
        lines.append("Not funded:")
        for u in outcome.unfunded:
            lines.append(f"  {u.project_id}: {u.reason}")
    if outcome.ties:
        lines.append("")
        lines.append("Ties:")
        for t in outcome.ties:
            matters = "" if t.affects_outcome else " (did not change the outcome)"
            lines.append(
                f"  round {t.round}: {', '.join(t.candidates)} tied; {t.chosen} first, "
                f"by {t.decided_by}{matters}"
            )
    lines.append("")
    share = indicators.share_with_funded_project
    lines.append(
        f"Voters with at least one funded project they supported: "
        f"{indicators.voters_with_funded_project} of {indicators.voters} ({float(share):.1%})"
    )
    for check in indicators.ejr:
        if check.holds is None:
            verdict = (
                f"not determined; holds for all cohesive groups of up to "
                f"{check.complete_up_to} projects"
            )
        elif check.holds:
            verdict = "holds"
        else:
            assert check.violation is not None
            verdict = (
                f"fails: {check.violation.unsatisfied_voters} voters approving "
                f"{', '.join(check.violation.projects)} could pay for them and are not satisfied"
            )
        lines.append(f"{check.name}: {verdict}")
    if warnings:
        lines.append("")
        lines.append(f"File warnings ({len(warnings)}), first ones:")
        lines.extend(f"  {w}" for w in warnings[:5])
    return "\n".join(lines) + "\n"
