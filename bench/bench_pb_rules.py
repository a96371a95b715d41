"""Benchmark of the participatory budgeting counting rules against pabutools.

Targets (issue "Counting rules"): on a synthetic approval election of 80,000 ballots x 140
projects (average ballot length 5) and on the largest pabulib sample
(Poland_Warszawa_2023_Mokotow.pb), MES with add1 completion under 2 s and greedy under 0.2 s,
with pabutools timed on the same election in the same run and the results identical.

    .venv/bin/python bench/bench_pb_rules.py [--quick] [--repeat 3]
    .venv/bin/python bench/bench_pb_rules.py --record-pabutools   # refresh the test recording

What is timed, for our package: the rule on a parsed election, from a cold cache (the profile
of identical ballots and the engine are rebuilt), including the exact round-by-round
explanation. Wall time and CPU time of this process are both reported (the machine may be
shared; add1 runs two budgets side by side in threads on two or more CPUs, so its CPU time is
above its wall time). For pabutools 1.2.3 (GPL, a dev dependency):
``greedy_utilitarian_welfare`` with ``Cost_Sat`` and ``method_of_equal_shares`` with
``Cost_Sat`` on the deduplicated profile (``as_multiprofile``, its fastest setting), both with
our tie-breaking order, on the election as pabutools parses it from our .pb export.

pabutools' add1 completion (``voter_budget_increment=1``) reruns MES once per unit of money
per voter: hundreds of runs of several seconds to minutes each here, hours in all. So by
default pabutools' MES is run, and timed, at the fair share and at the per-voter budget our
add1 completion stopped at (its outcome must equal ours), plus one unit more (its outcome must
overspend, or ours be exhaustive: the add1 stopping rule, checked with pabutools' own MES);
the add1 time is then estimated as (steps + 1) x the mean of those runs, and reported as an
estimate. ``--pabutools-add1`` runs pabutools' real add1 instead (expect hours on the 80,000
ballot election). ``--quick`` skips pabutools' MES on the synthetic election (minutes per run).

Writes bench/results/pb_rules.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bigsociety.budgeting.counting import (  # noqa: E402
    Ballot,
    Election,
    Outcome,
    Project,
    count,
    read_pb,
    write_pb,
)
from bigsociety.budgeting.counting.profile import natural_key, profile_of  # noqa: E402

FIXTURES = ROOT / "bigsociety" / "budgeting" / "tests" / "fixtures" / "pabulib"
RESULTS = ROOT / "bench" / "results" / "pb_rules.json"
RECORDING = FIXTURES / "pabutools_mes.json"
TARGETS = {"mes-add1": 2.0, "greedy": 0.2}


def synthetic_election(
    voters: int = 80_000, projects: int = 140, mean_length: int = 5, seed: int = 2024
) -> Election:
    """A city-wide-sized approval election: project popularity falls off like 1/rank^0.8,
    costs 20,000-400,000, ballot lengths around 5 (sd 2, 1 to 15), budget 28,000,000 (about
    350 per voter, like Warsaw's city-wide budget)."""
    rng = random.Random(seed)
    ids = [str(i + 1) for i in range(projects)]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(projects)]
    costs = [rng.randrange(20, 401) * 1000 for _ in range(projects)]
    ballots = []
    for voter in range(voters):
        length = max(1, min(15, round(rng.gauss(mean_length, 2))))
        chosen: set[int] = set()
        while len(chosen) < length:
            chosen.add(rng.choices(range(projects), weights)[0])
        ballots.append(Ballot(str(voter + 1), tuple(ids[i] for i in sorted(chosen))))
    return Election.create(
        budget=28_000_000,
        vote_type="approval",
        projects=[Project(ids[i], Fraction(costs[i])) for i in range(projects)],
        ballots=ballots,
        rule="equalshares/add1",
        meta={"description": "synthetic", "country": "Nowhere", "unit": "Bench", "instance": "1"},
    )


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, float, list[float], Any]:
    """Best wall time, best CPU time, all wall times, and the last result."""
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), walls, result


def ours(election: Election, rule: str) -> Callable[[], Outcome]:
    def run() -> Outcome:
        election._cache.clear()
        return count(election, rule)

    return run


class Pabutools:
    """pabutools on the election, parsed by pabutools from our .pb text."""

    def __init__(self, election: Election) -> None:
        from pabutools.election.pabulib import parse_pabulib_from_string
        from pabutools.tiebreaking import TieBreakingRule

        self.instance, self.profile = parse_pabulib_from_string(write_pb(election))
        self.multiprofile = self.profile.as_multiprofile()
        profile = profile_of(election)
        votes = dict(zip(profile.project_ids, profile.votes, strict=True))
        self.tie_breaking = TieBreakingRule(
            lambda inst, prof, p: (p.cost, -votes[p.name], natural_key(p.name), p.name)
        )

    def greedy(self) -> list[str]:
        from pabutools.election import Cost_Sat
        from pabutools.rules import greedy_utilitarian_welfare

        result = greedy_utilitarian_welfare(
            self.instance, self.profile, sat_class=Cost_Sat, tie_breaking=self.tie_breaking
        )
        return [p.name for p in result]

    def mes(self, voter_budget: Fraction | None = None, add1: bool = False) -> list[str]:
        from pabutools.election import Cost_Sat
        from pabutools.fractions import frac
        from pabutools.rules import method_of_equal_shares

        instance = self.instance
        if voter_budget is not None:
            total = voter_budget * self.profile.num_ballots()
            instance = self.instance.__class__(self.instance)
            instance.budget_limit = frac(total.numerator, total.denominator)
        result = method_of_equal_shares(
            instance,
            self.multiprofile,
            sat_class=Cost_Sat,
            tie_breaking=self.tie_breaking,
            voter_budget_increment=1 if add1 else None,
        )
        return [p.name for p in result]


def bench_election(
    name: str, election: Election, *, repeat: int, pabutools_mes: bool, pabutools_add1: bool
) -> dict[str, Any]:
    print(f"== {name}: {len(election.ballots)} ballots, {len(election.projects)} projects")
    report: dict[str, Any] = {
        "ballots": len(election.ballots),
        "projects": len(election.projects),
        "distinct_ballots": len(profile_of(election).groups),
        "budget": int(election.budget),
    }
    pabu = Pabutools(election)

    wall, cpu, walls, greedy = timed(ours(election, "greedy"), repeat)
    p_wall, p_cpu, _, p_greedy = timed(pabu.greedy, 1)
    report["greedy"] = {
        "ours_s": wall,
        "ours_cpu_s": cpu,
        "ours_all_s": walls,
        "target_s": TARGETS["greedy"],
        "meets_target": wall < TARGETS["greedy"],
        "pabutools_s": p_wall,
        "pabutools_cpu_s": p_cpu,
        "ratio_pabutools_over_ours": p_wall / wall,
        "identical": list(greedy.selected) == p_greedy,
        "selected": len(greedy.selected),
    }
    same = report["greedy"]["identical"]
    print(f"   greedy: {wall:.3f} s (cpu {cpu:.3f}); pabutools {p_wall:.2f} s; same: {same}")

    wall, cpu, walls, add1 = timed(ours(election, "mes-add1"), repeat)
    details = add1.equal_shares
    assert details is not None
    entry: dict[str, Any] = {
        "ours_s": wall,
        "ours_cpu_s": cpu,
        "ours_all_s": walls,
        "target_s": TARGETS["mes-add1"],
        "meets_target": wall < TARGETS["mes-add1"],
        "steps": details.steps,
        "fair_share": float(details.fair_share),
        "final_voter_budget": float(details.voter_budget),
        "selected": len(add1.selected),
        "spent_share": float(add1.spent / add1.budget),
    }
    print(f"   mes-add1: {wall:.3f} s (cpu {cpu:.3f}), {details.steps} steps")
    if pabutools_add1:
        p_wall, p_cpu, _, p_add1 = timed(lambda: pabu.mes(add1=True), 1)
        entry.update(
            pabutools_s=p_wall,
            pabutools_cpu_s=p_cpu,
            pabutools_timing="measured",
            ratio_pabutools_over_ours=p_wall / wall,
            identical=list(add1.selected) == p_add1,
        )
    elif pabutools_mes:
        start_wall, start_cpu, _, p_start = timed(lambda: pabu.mes(), 1)
        final_wall, final_cpu, _, p_final = timed(lambda: pabu.mes(details.voter_budget), 1)
        _, _, _, p_next = timed(lambda: pabu.mes(details.voter_budget + 1), 1)
        per_run = (start_wall + final_wall) / 2
        spent_next = sum(election.projects[p].cost for p in p_next)
        exhaustive = all(
            pid in add1.selected or add1.spent + election.projects[pid].cost > election.budget
            for pid, votes in zip(
                profile_of(election).project_ids, profile_of(election).votes, strict=True
            )
            if votes
        )
        entry.update(
            pabutools_s=per_run * (details.steps + 1),
            pabutools_timing=(
                "estimated: (steps + 1) x the mean wall time of one pabutools MES run "
                f"({start_wall:.2f} s at the fair share, {final_wall:.2f} s at the final budget)"
            ),
            pabutools_one_run_s=[start_wall, final_wall],
            pabutools_one_run_cpu_s=[start_cpu, final_cpu],
            ratio_pabutools_over_ours=per_run * (details.steps + 1) / wall,
            identical=list(add1.selected) == p_final,
            identical_checked="pabutools MES at our final per-voter budget gives our outcome",
            stopping_rule_confirmed_by_pabutools=exhaustive or spent_next > election.budget,
        )
        plain_wall, plain_cpu, _, plain = timed(ours(election, "mes"), repeat)
        report["mes"] = {
            "ours_s": plain_wall,
            "ours_cpu_s": plain_cpu,
            "pabutools_s": start_wall,
            "pabutools_cpu_s": start_cpu,
            "ratio_pabutools_over_ours": start_wall / plain_wall,
            "identical": list(plain.selected) == p_start,
        }
    report["mes-add1"] = entry
    shown = {k: v for k, v in entry.items() if k.startswith(("pabutools", "identical", "ratio"))}
    print(f"   pabutools: {json.dumps(shown)}")
    return report


def machine() -> dict[str, Any]:
    import numpy

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pabutools

    from bigsociety.budgeting.counting.equal_shares import _speculation

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "numpy": numpy.__version__,
        "pabutools": getattr(pabutools, "__version__", "1.2.3"),
        # add1 runs this many budgets side by side: its wall time is below its CPU time.
        "mes_add1_threads": _speculation(),
    }


def record_pabutools() -> None:
    """Record pabutools' MES selection on every sample file (for the test suite)."""
    sys.path.insert(0, str(ROOT))
    from bigsociety.budgeting.tests.test_counting_mes import pabutools_run

    recorded: dict[str, Any] = {
        "about": (
            "pabutools 1.2.3 method_of_equal_shares (no completion) on each sample, read by "
            "pabutools from our .pb export; Cost_Sat on the multiprofile for approval and "
            "choose-1, Additive_Cardinal_Sat for cumulative, pabulib's Borda points for ordinal; "
            "tie-breaking: lower cost, more votes, natural project id. Written by "
            "bench/bench_pb_rules.py --record-pabutools."
        ),
        "mes": {},
    }
    for path in sorted(FIXTURES.glob("*.pb")):
        started = time.perf_counter()
        recorded["mes"][path.stem] = pabutools_run(read_pb(path))
        print(f"{path.stem}: {time.perf_counter() - started:.1f} s", flush=True)
    RECORDING.write_text(
        json.dumps(recorded, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="no pabutools MES on the synthetic election"
    )
    parser.add_argument(
        "--pabutools-add1", action="store_true", help="run pabutools' real add1 (hours)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record-pabutools", action="store_true")
    args = parser.parse_args()
    if args.record_pabutools:
        record_pabutools()
        return
    started = time.time()
    results: dict[str, Any] = {
        "benchmark": "pb_rules",
        "machine": machine(),
        "mode": "quick" if args.quick else "full",
        "elections": {},
    }
    mokotow = read_pb(FIXTURES / "Poland_Warszawa_2023_Mokotow.pb")
    results["elections"]["Poland_Warszawa_2023_Mokotow"] = bench_election(
        "Poland_Warszawa_2023_Mokotow",
        mokotow,
        repeat=args.repeat,
        pabutools_mes=True,
        pabutools_add1=args.pabutools_add1,
    )
    synthetic = synthetic_election()
    results["elections"]["synthetic_80000x140"] = bench_election(
        "synthetic_80000x140",
        synthetic,
        repeat=args.repeat,
        pabutools_mes=not args.quick,
        pabutools_add1=args.pabutools_add1 and not args.quick,
    )
    results["machine"]["load_average_end"] = os.getloadavg()
    results["total_s"] = time.time() - started
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
