"""Counting participatory budgets: no Django, no other app (see README.md in this folder).

What other code calls::

    from bigsociety.budgeting.counting import (
        Election, Project, Ballot,            # the election in memory
        parse_pb, read_pb, write_pb,          # pabulib .pb import and export
        PbFormatError, PbProblem,             # every problem of a malformed file
        count, RULES, rule_for_file,          # run a rule by name, or the file's own rule
        Outcome, Round, Tie, Unfunded,        # the result and its explanation
        fairness,                             # voters with a funded project; EJR checks
    )
"""

from .election import Ballot, Election, Project, project_scores, project_votes
from .equal_shares import method_of_equal_shares
from .fairness import EjrCheck, Fairness, ejr_checks, fairness
from .greedy import greedy, greedy_no_skip, greedy_threshold
from .outcome import EqualSharesDetails, Outcome, Round, Tie, Unfunded
from .pabulib import PbFormatError, PbProblem, parse_pb, parse_pb_with_warnings, read_pb, write_pb
from .phragmen import sequential_phragmen
from .rules import RULES, RuleChoice, count, mes, mes_add1, mes_add1_comparison, rule_for_file

__all__ = [
    "RULES",
    "Ballot",
    "EjrCheck",
    "Election",
    "EqualSharesDetails",
    "Fairness",
    "Outcome",
    "PbFormatError",
    "PbProblem",
    "Project",
    "Round",
    "RuleChoice",
    "Tie",
    "Unfunded",
    "count",
    "ejr_checks",
    "fairness",
    "greedy",
    "greedy_no_skip",
    "greedy_threshold",
    "mes",
    "mes_add1",
    "mes_add1_comparison",
    "method_of_equal_shares",
    "parse_pb",
    "parse_pb_with_warnings",
    "project_scores",
    "project_votes",
    "read_pb",
    "rule_for_file",
    "sequential_phragmen",
    "write_pb",
]
