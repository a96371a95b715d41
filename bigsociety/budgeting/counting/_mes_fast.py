"""The fast Method of Equal Shares engine: floating point, every decision certified exact.

Each voter group's remaining money ``f`` is held as a float64 together with ``e``, a bound on
its distance from the exact rational value. Every computed quantity carries such a bound,
derived from the standard floating-point error analysis (each IEEE operation is correctly
rounded; a sum or dot product of ``k`` terms in any order is within ``k * u`` times the sum of
the terms' magnitudes, Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1). The
bounds use ``U = 2**-50``, eight times float64's unit roundoff ``u = 2**-53``, which also
absorbs the rounding of the bound computations themselves.

A decision is taken only when the float values are further apart than their bounds, so the
decision is the one exact arithmetic would take:

* whether a project is affordable (supporters' money against its cost);
* which supporters pay less than the full price (money per utility unit against the price);
* which project is cheapest per unit of utility, and that a project not re-evaluated this round
  cannot be cheaper (its earlier price is a lower bound: prices only rise).

If any comparison is too close to call (an exact tie, or values within the bounds), the run is
abandoned and :func:`.mes.exact_run` computes it. Integer weights and utility units are exact in
float64 (the engine declines elections where they exceed 2**50). :meth:`FastEngine.explain`
recomputes the prices of the final run exactly, in integers over a common denominator, from the
certified structure (who paid in full, who paid less, in each round).

The rounds themselves run in :mod:`._mes_kernel`, compiled by Numba (docs/decisions/0007):
this module lays the election out as compressed arrays, resumes from the snapshot and turns
the kernel's trace back into project ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd

import numpy as np
import numpy.typing as npt

from ._mes_kernel import OK, U, run_rounds
from .equal_shares import Problem, RoundData, Run

_LIMIT = 2**50

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Project:
    index: int
    groups: IntArray
    weights: FloatArray
    units: FloatArray | None
    weighted_units: FloatArray
    units_total: float
    units_int: IntArray
    cost: float
    cost_err: float
    scale: float
    scale_rel: float
    supporters: int


@dataclass(frozen=True)
class _Snapshot:
    """The state before the first round that depended on the per-voter budget (bounds and
    the open-project mask are over the engine's local project numbers)."""

    voter_budget: Fraction
    money: FloatArray  # each group's money and its error bound, shape (groups, 2)
    bound_value: FloatArray
    bound_err: FloatArray
    remaining: BoolArray
    order: list[int]
    trace: list[tuple[int, BoolArray]]


def fast_engine(problem: Problem) -> FastEngine | None:
    """The fast engine for the problem, or None when its numbers are too large for it."""
    if "fast" not in problem._engine_cache:
        problem._engine_cache["fast"] = FastEngine.build(problem)
    engine = problem._engine_cache["fast"]
    return engine if isinstance(engine, FastEngine) else None


def _float_with_error(value: Fraction) -> tuple[float, float]:
    as_float = float(value)
    return as_float, (0.0 if Fraction(as_float) == value else U * abs(as_float))


class FastEngine:
    def __init__(self, problem: Problem, projects: dict[int, _Project]) -> None:
        self.problem = problem
        self.projects = projects
        self.group_count = len(problem.weights)
        self.weights_int: IntArray = np.array(problem.weights, dtype=np.int64)
        self._snapshot: _Snapshot | None = None
        self._previous_order: list[int] = []
        # The compiled loop's view: projects numbered 0..m-1 (``local``), supporters in
        # compressed rows, and per-project numbers.
        self.local: list[int] = list(projects)
        self.local_of: dict[int, int] = {p: k for k, p in enumerate(self.local)}
        data = [projects[p] for p in self.local]
        sizes = [len(d.groups) for d in data]
        indptr = np.zeros(len(data) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])

        def joined(parts: list[FloatArray] | list[IntArray], dtype: type) -> npt.NDArray:
            return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

        def column(values: list[float]) -> FloatArray:
            return np.array(values, dtype=np.float64)

        self.arrays = (
            indptr,
            joined([d.groups for d in data], np.int64),
            joined([d.weights for d in data], np.float64),
            joined([d.units_int.astype(np.float64) for d in data], np.float64),
            joined([d.weighted_units for d in data], np.float64),
            np.array([d.units is None for d in data], dtype=np.bool_),
            column([d.cost for d in data]),
            column([d.cost_err for d in data]),
            column([d.units_total for d in data]),
            column([d.scale for d in data]),
            column([d.scale_rel for d in data]),
        )
        initial = []
        for p in self.local:
            exact = problem.profile.costs[p] / (problem.scale[p] * problem.units_total[p])
            value, _ = _float_with_error(exact)
            initial.append(value)
        self.initial_value = column(initial)
        self.initial_err = 2 * U * np.abs(self.initial_value)

    @classmethod
    def build(cls, problem: Problem) -> FastEngine | None:
        if any(w >= 2**31 for w in problem.weights):
            return None
        weights = np.array(problem.weights, dtype=np.float64)
        projects: dict[int, _Project] = {}
        for p in problem.open_projects:
            groups = np.array(problem.supporters[p], dtype=np.int64)
            unit_list = problem.units[p]
            units_total = problem.units_total[p]
            if not isinstance(units_total, int) or units_total >= _LIMIT:
                return None
            if unit_list is None:
                units_int = np.ones(len(groups), dtype=np.int64)
            else:
                if any(not isinstance(u, int) or not 1 <= u < 2**20 for u in unit_list):
                    return None
                units_int = np.array(unit_list, dtype=np.int64)
            uniform = unit_list is None
            units_f = units_int.astype(np.float64)
            group_weights = weights[groups]
            cost, cost_err = _float_with_error(problem.profile.costs[p])
            scale, scale_err = _float_with_error(problem.scale[p])
            if not (np.isfinite(cost) and np.isfinite(scale) and scale > 0):
                return None
            projects[p] = _Project(
                index=p,
                groups=groups,
                weights=group_weights,
                units=None if uniform else units_f,
                weighted_units=group_weights * units_f,
                units_total=float(problem.units_total[p]),
                units_int=units_int,
                cost=cost,
                cost_err=cost_err,
                scale=scale,
                scale_rel=scale_err / scale,
                supporters=problem.supporter_count[p],
            )
        return cls(problem, projects)

    def run(self, voter_budget: Fraction) -> Run | None:
        """MES at this per-voter budget, or None if a decision could not be certified.

        Rounds in which no evaluated project had a supporter paying less than the full price,
        and none was unaffordable, do not depend on the per-voter budget beyond it (prices
        are cost / utility units; every budget is the start plus a constant). Such a leading
        run of rounds is kept, and a later run with a larger budget resumes after it, with
        every group's money raised by the difference.
        """
        start = float(voter_budget)
        snapshot = self._snapshot
        if snapshot is not None and voter_budget >= snapshot.voter_budget:
            delta, delta_err = _float_with_error(voter_budget - snapshot.voter_budget)
            fe = snapshot.money.copy()
            fe[:, 0] += delta
            fe[:, 1] += delta_err + U * fe[:, 0]
            bound_value = snapshot.bound_value.copy()
            bound_err = snapshot.bound_err.copy()
            remaining = snapshot.remaining.copy()
            order = list(snapshot.order)
            trace = list(snapshot.trace)
        else:
            start_value, start_err = _float_with_error(voter_budget)
            fe = np.empty((self.group_count, 2))
            fe[:, 0] = start_value
            fe[:, 1] = max(start_err, U * start_value)
            bound_value = self.initial_value.copy()
            bound_err = self.initial_err.copy()
            remaining = np.ones(len(self.local), dtype=np.bool_)
            order = list(self.problem.free_projects)
            trace = []
        base = len(order)
        previous = self._previous_order[base:]
        hint = np.array([self.local_of.get(p, -1) for p in previous], dtype=np.int64)
        status, funded, offsets, masks, snap_round, snap = run_rounds(
            *self.arrays,
            fe,
            bound_value,
            bound_err,
            remaining,
            hint,
            start * (1 + 4 * U),
        )
        local = self.local
        indptr = self.arrays[0]
        steps: list[tuple[int, BoolArray]] = []
        for r, q in enumerate(funded.tolist()):
            steps.append((local[q], masks[offsets[r] : offsets[r] + indptr[q + 1] - indptr[q]]))
        if snap_round >= 0:
            snap_fe, snap_value, snap_err, snap_remaining = snap
            self._snapshot = _Snapshot(
                voter_budget,
                snap_fe,
                snap_value,
                snap_err,
                snap_remaining,
                order + [p for p, _ in steps[:snap_round]],
                trace + steps[:snap_round],
            )
        if status != OK:
            return None
        order.extend(p for p, _ in steps)
        trace.extend(steps)
        self._previous_order = order
        return Run(voter_budget=voter_budget, order=order, trace=trace)

    def explain(self, run: Run) -> Run:
        """The run with its exact per-round prices and the money left behind each unfunded
        project, from the certified structure of the fast run."""
        trace = run.trace
        assert isinstance(trace, list)
        problem = self.problem
        costs = problem.profile.costs
        budget = run.voter_budget
        weights = self.weights_int
        alive = np.ones(self.group_count, dtype=bool)
        # Exact unit payments are kept as integers over one common denominator.
        denominator = budget.denominator
        start_scaled = budget.numerator
        numerators: list[int] = []
        history: list[tuple[IntArray, IntArray]] = []
        rounds: list[RoundData] = []

        def spent_by(members: BoolArray) -> int:
            return sum(
                n * int(paid[members[groups]].sum())
                for n, (groups, paid) in zip(numerators, history, strict=True)
            )

        for q, capped_mask in trace:
            data = self.projects[q]
            capped = data.groups[capped_mask]
            capped = capped[alive[capped]]
            uncapped = data.groups[~capped_mask]
            units = data.units_int[~capped_mask]
            members = np.zeros(self.group_count, dtype=bool)
            members[capped] = True
            capped_weight = int(weights[capped].sum())
            capped_scaled = capped_weight * start_scaled - spent_by(members)
            units_paying = int((weights[uncapped] * units).sum())
            cost = costs[q]
            top = cost.numerator * denominator - capped_scaled * cost.denominator
            bottom = units_paying * cost.denominator
            common = gcd(top, bottom)
            factor = bottom // common
            denominator *= factor
            start_scaled *= factor
            numerators = [n * factor for n in numerators]
            numerators.append(top // common)
            unit_payment = Fraction(numerators[-1], denominator)
            paid_less_total = Fraction(capped_scaled * factor, denominator)
            history.append((uncapped, weights[uncapped] * units))
            rounds.append(
                RoundData(
                    project=q,
                    price=unit_payment / problem.scale[q],
                    unit_payment=unit_payment,
                    supporters=data.supporters,
                    paid_in_full=int(weights[uncapped].sum()),
                    paid_less=capped_weight,
                    paid_less_total=paid_less_total,
                )
            )
            alive[capped] = False
        funded = set(run.order)
        end_money: dict[int, Fraction] = {}
        for p in problem.open_projects:
            if p in funded:
                continue
            groups = np.array(problem.supporters[p], dtype=np.int64)
            live = groups[alive[groups]]
            members = np.zeros(self.group_count, dtype=bool)
            members[live] = True
            scaled = int(weights[live].sum()) * start_scaled - spent_by(members)
            end_money[p] = Fraction(scaled, denominator)
        return Run(
            voter_budget=run.voter_budget,
            order=run.order,
            ties=run.ties,
            rounds=rounds,
            end_money=end_money,
            trace=trace,
        )
