"""The rules by name, and the rule a pabulib file's META asks for.

``RULES`` maps our rule names to functions of an election. :func:`rule_for_file` reads META's
``rule`` (pabulib's names) and returns the rule to run with a note on how it was chosen:

=============================  =================================================================
META ``rule``                  counted as
=============================  =================================================================
greedy, greedy-no-skip,        the same rule
greedy-threshold
equalshares                    ``mes``
equalshares/add1               ``mes-add1``
equalshares/add1-comparison    ``mes-add1-comparison``
equalshares-comparison         ``mes-comparison`` (MES without completion, then comparison)
greedy-custom                  what the META comment describes, when it is Poznań's rule (stop
                               at the first project that does not fit, then fund it from a
                               reserve if the money left covers at least N% of it); otherwise
                               greedy, with a note
greedy-exclusive               greedy, where projects that the META comment says "could not be
                               implemented simultaneously" are never both funded; otherwise
                               greedy, with a note
unknown (or anything else)     greedy, with a note saying so
=============================  =================================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from .election import Election
from .equal_shares import method_of_equal_shares
from .greedy import greedy, greedy_no_skip, greedy_threshold, run_greedy
from .outcome import Outcome
from .phragmen import sequential_phragmen


def mes(election: Election) -> Outcome:
    """The Method of Equal Shares without completion."""
    return method_of_equal_shares(election)


def mes_add1(election: Election) -> Outcome:
    """The Method of Equal Shares with add1 completion."""
    return method_of_equal_shares(election, completion="add1")


def mes_add1_comparison(election: Election) -> Outcome:
    """The Method of Equal Shares with add1 completion and the comparison step."""
    return method_of_equal_shares(election, completion="add1", comparison=True)


def mes_comparison(election: Election) -> Outcome:
    """The Method of Equal Shares without completion, then the comparison step."""
    return method_of_equal_shares(election, comparison=True)


RULES: dict[str, Callable[[Election], Outcome]] = {
    "greedy": greedy,
    "greedy-no-skip": greedy_no_skip,
    "greedy-threshold": greedy_threshold,
    "mes": mes,
    "mes-add1": mes_add1,
    "mes-add1-comparison": mes_add1_comparison,
    "mes-comparison": mes_comparison,
    "phragmen": sequential_phragmen,
}

_FROM_META = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1-comparison": "mes-add1-comparison",
    "equalshares-comparison": "mes-comparison",
}

_RESERVE = re.compile(r"at least (\d+(?:\.\d+)?)\s*% of that project", re.IGNORECASE)
_PROJECT_LIST = re.compile(r"projects? ((?:[\w-]+(?:, | and |,))+[\w-]+)", re.IGNORECASE)
_EXCLUSIVE_WORDS = ("simultaneously", "mutually exclusive", "exclusive")


@dataclass(frozen=True)
class RuleChoice:
    """The rule to run for a file: our rule name, how to run it, and why."""

    rule: str
    notes: tuple[str, ...] = ()
    exclusive: tuple[frozenset[str], ...] = ()
    reserve_share: Fraction | None = None
    options: dict[str, str] = field(default_factory=dict)

    def run(self, election: Election) -> Outcome:
        if self.rule == "greedy-custom":
            return run_greedy(
                election,
                rule="greedy-custom",
                skip=False,
                reserve_share=self.reserve_share,
                notes=self.notes,
            )
        if self.rule == "greedy-exclusive":
            return run_greedy(
                election, rule="greedy-exclusive", exclusive=self.exclusive, notes=self.notes
            )
        outcome = RULES[self.rule](election)
        if not self.notes:
            return outcome
        return Outcome(
            rule=outcome.rule,
            selected=outcome.selected,
            spent=outcome.spent,
            budget=outcome.budget,
            rounds=outcome.rounds,
            ties=outcome.ties,
            unfunded=outcome.unfunded,
            notes=(*self.notes, *outcome.notes),
            equal_shares=outcome.equal_shares,
            extra_spent=outcome.extra_spent,
        )


def comment_items(election: Election) -> list[str]:
    """META ``comment`` split into its numbered items (``#1: ...``)."""
    comment = election.meta.get("comment", "")
    parts = [part.strip() for part in re.split(r"#\d+:", comment)]
    return [part for part in parts if part]


def rule_for_file(election: Election) -> RuleChoice:
    """The rule META names, mapped to ours (see the module doc)."""
    stated = election.rule
    if stated in _FROM_META:
        return RuleChoice(rule=_FROM_META[stated])
    if stated == "greedy-custom":
        for item in comment_items(election):
            match = _RESERVE.search(item)
            if match and "until the next project" in item:
                share = Fraction(match.group(1)) / 100
                return RuleChoice(
                    rule="greedy-custom",
                    reserve_share=share,
                    notes=(
                        "META rule greedy-custom, as its comment describes: by votes until the "
                        "next project does not fit, which is still funded from a reserve if "
                        f"the money left covers at least {match.group(1)}% of its cost.",
                    ),
                )
        return RuleChoice(
            rule="greedy",
            notes=(
                "META rule greedy-custom is not described in a way we can follow: "
                "counted greedily.",
            ),
        )
    if stated == "greedy-exclusive":
        groups = []
        for item in comment_items(election):
            if not any(word in item.lower() for word in _EXCLUSIVE_WORDS):
                continue
            for match in _PROJECT_LIST.finditer(item):
                ids = [x for x in re.split(r", | and |,", match.group(1)) if x in election.projects]
                if len(ids) >= 2:
                    groups.append(frozenset(ids))
        if groups:
            described = "; ".join(" and ".join(sorted(g)) for g in groups)
            return RuleChoice(
                rule="greedy-exclusive",
                exclusive=tuple(groups),
                notes=(
                    f"META rule greedy-exclusive: greedy, never funding both of {described}, "
                    "as the META comment states.",
                ),
            )
        return RuleChoice(
            rule="greedy",
            notes=(
                "META rule greedy-exclusive, but the META comment names no projects that "
                "exclude each other: counted greedily.",
            ),
        )
    return RuleChoice(
        rule="greedy", notes=(f"META rule {stated!r}: no rule we can follow, so counted greedily.",)
    )


def count(election: Election, rule: str | None = None) -> Outcome:
    """Count the election with ``rule`` (a key of ``RULES``), or with the rule its META names."""
    if rule is None:
        return rule_for_file(election).run(election)
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; one of {', '.join(RULES)}")
    return RULES[rule](election)
