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
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd

import numpy as np
import numpy.typing as npt

from .equal_shares import Problem, RoundData, Run

U = 2.0**-50
_UNAFFORDABLE = "unaffordable"
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


# price, its error, payment per unit, its error, who pays less, how many, money, its errors
_Evaluated = tuple[float, float, float, float, BoolArray, int, FloatArray, FloatArray]
_Result = _Evaluated | str | None


@dataclass(frozen=True)
class _Snapshot:
    """The state before the first round that depended on the per-voter budget."""

    voter_budget: Fraction
    money: FloatArray
    errors: FloatArray
    bound: dict[int, tuple[float, float]]
    remaining: set[int]
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
        self.runs = 0
        self.resumed_rounds = 0
        self.initial: dict[int, tuple[float, float]] = {}
        for p in projects:
            exact = problem.profile.costs[p] / (problem.scale[p] * problem.units_total[p])
            value, _ = _float_with_error(exact)
            self.initial[p] = (value, 2 * U * abs(value))

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

    def _evaluate(
        self, data: _Project, f: FloatArray, e: FloatArray, start: float, floor: float
    ) -> _Result:
        """The project's price per unit of utility, certified; ``_UNAFFORDABLE``; or None when
        a comparison is too close to call. ``start`` bounds every group's money; ``floor`` is
        a lower bound of the payment per unit (from an earlier evaluation: prices only rise),
        where the search starts."""
        money = f.take(data.groups)
        errors = e.take(data.groups)
        weights = data.weights
        size = len(money)
        weighted = weights * money
        weighted_errors = weights * errors
        total = float(weighted.sum())
        total_err = float(weighted_errors.sum()) + (size + 2) * U * total
        cost, cost_err = data.cost, data.cost_err
        if total + total_err < cost - cost_err:
            return _UNAFFORDABLE
        if total - total_err < cost + cost_err:
            return None
        if data.units is None:
            ratio, ratio_err = money, errors
        else:
            ratio, ratio_err = money / data.units, errors / data.units
        units_total = data.units_total
        # Newton's method from below on sum(min(money, payment * units)) = cost: each step
        # caps those below the payment and solves the linear equation for the others; the
        # capped sets grow, so an unchanged count means an unchanged set.
        payment = max(cost / units_total, floor)
        capped = ratio < payment
        count = int(np.count_nonzero(capped))
        capped_money = 0.0
        denominator = units_total
        if not count:
            payment = cost / units_total
        else:
            for _ in range(size + 2):
                capped_money = float(np.einsum("i,i->", weighted, capped))
                denominator = units_total - float(np.einsum("i,i->", data.weighted_units, capped))
                if denominator <= 0:
                    return None
                payment = (cost - capped_money) / denominator
                widened = ratio < payment
                widened_count = int(np.count_nonzero(widened))
                if widened_count == count:
                    break
                capped, count = widened, widened_count
            else:
                return None
        # Certify: the exact money per unit of each supporter is within ratio_err + 2U*start
        # of ``ratio``, the exact payment within payment_err of ``payment``; every supporter
        # must be further from the payment than both, on its side.
        numerator = cost - capped_money
        capped_err = float(np.einsum("i,i->", weighted_errors, capped)) if count else 0.0
        numerator_err = cost_err + capped_err + (count + 2) * U * capped_money + U * abs(numerator)
        payment_err = numerator_err / denominator + 2 * U * payment
        closest = float((np.abs(ratio - payment) - ratio_err).min())
        if not closest > payment_err + 2 * U * start:
            return None
        price = payment / data.scale
        price_err = (payment_err / data.scale + price * (data.scale_rel + 2 * U)) * (1 + 4 * U)
        return (price, price_err, payment, payment_err, capped, count, money, errors)

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
            f = snapshot.money + delta
            e = snapshot.errors + (delta_err + U * f)
            bound = dict(snapshot.bound)
            remaining = set(snapshot.remaining)
            order = list(snapshot.order)
            trace = list(snapshot.trace)
            self.resumed_rounds += len(snapshot.trace)
        else:
            start_value, start_err = _float_with_error(voter_budget)
            f = np.full(self.group_count, start_value)
            e = np.full(self.group_count, max(start_err, U * start_value))
            bound = dict(self.initial)
            remaining = set(self.projects)
            order = list(self.problem.free_projects)
            trace = []
        start = start * (1 + 4 * U)
        clean = True
        while remaining:
            if clean:
                pending = _Snapshot(
                    voter_budget,
                    f.copy(),
                    e.copy(),
                    dict(bound),
                    set(remaining),
                    list(order),
                    list(trace),
                )
            best: int | None = None
            best_value = best_err = 0.0
            best_result: _Evaluated | None = None
            # The previous run's choice for this round first: usually the best again, which
            # lets the others be skipped on their bounds (the order does not change results).
            candidates = sorted(remaining, key=lambda p: bound[p][0])
            position = len(order)
            if position < len(self._previous_order):
                hint = self._previous_order[position]
                if hint in remaining:
                    candidates.remove(hint)
                    candidates.insert(0, hint)
            for p in candidates:
                value, err = bound[p]
                if best is not None and value - err > best_value + best_err:
                    break
                data = self.projects[p]
                floor = (value - err) * data.scale * (1 - 8 * U)
                result = self._evaluate(data, f, e, start, floor)
                if result is None:
                    return None
                if isinstance(result, str):
                    if clean:
                        clean = False
                        self._snapshot = pending
                    remaining.discard(p)
                    continue
                price, price_err = result[0], result[1]
                if clean and result[5]:
                    clean = False
                    self._snapshot = pending
                bound[p] = (price, price_err)
                if best is None or price + price_err < best_value - best_err:
                    best, best_value, best_err, best_result = p, price, price_err, result
                elif not price - price_err > best_value + best_err:
                    return None
            if best is None or best_result is None:
                break
            _, _, payment, payment_err, capped, count, money, errors = best_result
            data = self.projects[best]
            growth = 2 * U * start
            if data.units is None:
                money = money - payment
                errors = errors + (payment_err + growth)
            else:
                money = money - payment * data.units
                errors = errors + data.units * payment_err + growth
            if count:
                money[capped] = 0.0
                errors[capped] = 0.0
                if count < len(money) and not bool((money[~capped] > 0).all()):
                    return None
            elif not bool((money > 0).all()):
                return None
            f[data.groups] = money
            e[data.groups] = errors
            trace.append((best, capped))
            order.append(best)
            remaining.discard(best)
        self.runs += 1
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
