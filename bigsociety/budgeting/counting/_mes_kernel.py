"""The compiled inner loop of the fast MES engine (:mod:`._mes_fast`), in Numba.

One call runs MES rounds from a given state to the end, in float64 with the error bounds and
certified comparisons that :mod:`._mes_fast`'s docstring describes; this module holds no
rule of its own. Projects are numbered locally ``0 .. m-1``; their supporter groups are in
compressed rows (``indptr``, ``groups`` and the per-supporter ``weights``, ``units`` and
``weighted_units``).

Results of a call: a status (``OK`` or ``UNCERTAIN``: a comparison was too close to call and
the caller falls back to exact arithmetic), the projects funded in order, for each the mask of
supporters who paid less than the full price (concatenated, with offsets), and the state at the
start of the first round whose outcome depended on the per-voter budget (see
:meth:`._mes_fast.FastEngine.run`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

U = 2.0**-50
OK = 0
UNCERTAIN = 1
_AFFORDABLE = 0
_UNAFFORDABLE = 2


@njit(cache=True, nogil=True)
def _evaluate(
    lo,
    hi,
    groups,
    weights,
    units,
    weighted_units,
    uniform,
    cost,
    cost_err,
    units_total,
    scale,
    scale_rel,
    fe,
    start,
    floor,
    ratio,
    ratio_err,
    weighted,
    weighted_err,
    capped,
):
    """A project's price per unit of utility, certified (``_AFFORDABLE`` with the price, its
    error, the payment per unit, its error and how many supporters pay less, whose mask is left
    in ``capped``), ``_UNAFFORDABLE``, or ``UNCERTAIN``. ``fe[g]`` is group ``g``'s money and
    its error bound; ``start`` bounds every group's money; ``floor`` is a lower bound of the
    payment per unit (prices only rise)."""
    size = hi - lo
    # Newton's method from below on sum(min(money, payment * units)) = cost starts at the
    # floor: each step caps those below the payment and solves the linear equation for the
    # others. The first pass gathers the supporters' money and caps those below the floor.
    payment = max(cost / units_total, floor)
    total = 0.0
    total_errors = 0.0
    count = 0
    capped_money = 0.0
    capped_units = 0.0
    capped_err = 0.0
    for j in range(size):
        g = groups[lo + j]
        money = fe[g, 0]
        error = fe[g, 1]
        w = weights[lo + j]
        wm = w * money
        we = w * error
        weighted[j] = wm
        weighted_err[j] = we
        total += wm
        total_errors += we
        if uniform:
            r = money
            r_err = error
        else:
            u = units[lo + j]
            r = money / u
            r_err = error / u
        ratio[j] = r
        ratio_err[j] = r_err
        below = r < payment
        capped[j] = below
        if below:
            count += 1
            capped_money += wm
            capped_units += weighted_units[lo + j]
            capped_err += we
    total_err = total_errors + (size + 2) * U * total
    if total + total_err < cost - cost_err:
        return _UNAFFORDABLE, 0.0, 0.0, 0.0, 0.0, 0
    if total - total_err < cost + cost_err:
        return UNCERTAIN, 0.0, 0.0, 0.0, 0.0, 0
    denominator = units_total
    if count == 0:
        payment = cost / units_total
    else:
        # The capped set only grows: each step adds the newly capped to the sums.
        settled = False
        for _ in range(size + 2):
            denominator = units_total - capped_units
            if denominator <= 0:
                return UNCERTAIN, 0.0, 0.0, 0.0, 0.0, 0
            payment = (cost - capped_money) / denominator
            widened = count
            for j in range(size):
                if not capped[j] and ratio[j] < payment:
                    capped[j] = True
                    capped_money += weighted[j]
                    capped_units += weighted_units[lo + j]
                    capped_err += weighted_err[j]
                    widened += 1
            if widened == count:
                settled = True
                break
            count = widened
        if not settled:
            return UNCERTAIN, 0.0, 0.0, 0.0, 0.0, 0
    # Certify: the exact money per unit of each supporter is within ratio_err + 2U*start of
    # ``ratio``, the exact payment within payment_err of ``payment``; every supporter must be
    # on the side of the payment its mask says, and further from it than both.
    numerator = cost - capped_money
    numerator_err = cost_err + capped_err + (count + 2) * U * capped_money + U * abs(numerator)
    payment_err = numerator_err / denominator + 2 * U * payment
    margin = payment_err + 2 * U * start
    for j in range(size):
        r = ratio[j]
        if capped[j] != (r < payment):
            return UNCERTAIN, 0.0, 0.0, 0.0, 0.0, 0
        if not abs(r - payment) - ratio_err[j] > margin:
            return UNCERTAIN, 0.0, 0.0, 0.0, 0.0, 0
    price = payment / scale
    price_err = (payment_err / scale + price * (scale_rel + 2 * U)) * (1 + 4 * U)
    return _AFFORDABLE, price, price_err, payment, payment_err, count


@njit(cache=True, nogil=True)
def _beaten(lo, hi, groups, weights, units, cost, cost_err, fe, payment):
    """Whether the project certainly costs more than ``payment`` per unit of utility: its
    supporters, each paying ``payment`` times their units or all they have if less, certainly
    raise less than its cost. Also whether anyone would have paid all they have (then the
    answer depended on the money left, so on the per-voter budget), and, when it is beaten, a
    lower bound of its payment per unit (0 if none better is known). One pass, no Newton.

    The bound: for any split of the supporters into those who pay all they have (money ``M``
    in all) and the rest (utility units ``W`` in all), what they raise at a payment ``x`` is
    at most ``M + x * W``, so the payment that raises the cost is at least
    ``(cost - M) / W``. The split taken is the one at ``payment`` (a Newton step from it)."""
    raised = 0.0
    raised_err = 0.0
    limited = False
    paying_units = 0.0
    for j in range(hi - lo):
        g = groups[lo + j]
        money = fe[g, 0]
        share = payment * units[lo + j]
        w = weights[lo + j]
        if money < share:
            raised += w * money
            limited = True
        else:
            raised += w * share
            paying_units += w * units[lo + j]
        # min(money, share) is within the money's error of the exact min, and the rounding
        # of the product is covered by the relative term below.
        raised_err += w * fe[g, 1]
    size = hi - lo
    raised_err += (size + 2) * U * raised
    lost = raised + raised_err < cost - cost_err
    lower = 0.0
    if lost and paying_units > 0:
        # ``capped_up`` bounds the exact money of those paying all they have: it is at most
        # what all raise (each term of ``raised`` is at least theirs) plus every error.
        capped_up = raised - payment * paying_units
        capped_up = max(capped_up, 0.0) + raised_err + 4 * U * raised
        numerator = cost - cost_err - capped_up
        numerator -= 4 * U * (cost + cost_err + capped_up)
        if numerator > 0:
            lower = numerator / (paying_units * (1 + (size + 4) * U)) * (1 - 4 * U)
    return lost, limited, lower


@njit(cache=True, nogil=True)
def _result(status, order, offsets, masks, rounds, snap_round, snap):
    """What :func:`run_rounds` returns (see the module doc)."""
    return status, order[:rounds], offsets[: rounds + 1], masks, snap_round, snap


@njit(cache=True, nogil=True)
def run_rounds(
    indptr,
    groups,
    weights,
    units,
    weighted_units,
    uniform,
    cost,
    cost_err,
    units_total,
    scale,
    scale_rel,
    fe,
    bound_value,
    bound_err,
    remaining,
    hint,
    start,
):
    """MES rounds from this state to the end. ``fe`` (group ``g``'s money and its error bound
    in ``fe[g]``), ``bound_*`` and ``remaining`` are updated in place; ``hint[r]`` is the
    project the previous run funded in this call's round ``r`` (or -1), tried first so that
    others can be skipped on their bounds."""
    m = len(cost)
    widest = 0
    for p in range(m):
        widest = max(widest, indptr[p + 1] - indptr[p])
    ratio = np.empty(widest)
    ratio_err = np.empty(widest)
    weighted = np.empty(widest)
    weighted_err = np.empty(widest)
    capped = np.zeros(widest, dtype=np.bool_)
    best_capped = np.zeros(widest, dtype=np.bool_)
    order = np.empty(m, dtype=np.int64)
    offsets = np.zeros(m + 1, dtype=np.int64)
    masks = np.zeros(len(groups), dtype=np.bool_)
    rounds = 0
    clean = True
    snap_round = -1
    # The state at the start of round ``snap_round``: money, bounds, open projects.
    snap = (np.empty((0, 2)), np.empty(0), np.empty(0), np.empty(0, dtype=np.bool_))
    candidates = np.empty(m, dtype=np.int64)
    round_value = bound_value.copy()
    round_err = bound_err.copy()
    round_remaining = remaining.copy()
    while True:
        n = 0
        for p in range(m):
            if remaining[p]:
                candidates[n] = p
                n += 1
        if n == 0:
            break
        if clean:
            round_value[:] = bound_value
            round_err[:] = bound_err
            round_remaining[:] = remaining
        keys = np.empty(n)
        for i in range(n):
            keys[i] = bound_value[candidates[i]]
        ranked = candidates[:n][np.argsort(keys, kind="mergesort")]
        first = hint[rounds] if rounds < len(hint) else -1
        if first >= 0 and remaining[first]:
            at = 0
            for i in range(n):
                if ranked[i] == first:
                    at = i
                    break
            for i in range(at, 0, -1):
                ranked[i] = ranked[i - 1]
            ranked[0] = first
        best = -1
        best_value = 0.0
        best_err = 0.0
        best_payment = 0.0
        best_payment_err = 0.0
        best_count = 0
        for i in range(n):
            p = ranked[i]
            value = bound_value[p]
            err = bound_err[p]
            if best >= 0 and value - err > best_value + best_err:
                break
            floor = (value - err) * scale[p] * (1 - 8 * U)
            lo = indptr[p]
            hi = indptr[p + 1]
            if best >= 0:
                # A cheap test first: can it beat the best so far at all? If not, the best's
                # price (with its error) is a new lower bound of its price.
                above = best_value + best_err
                payment = above * scale[p] * (1 + scale_rel[p] + 8 * U)
                lost, limited, lower = _beaten(
                    lo, hi, groups, weights, units, cost[p], cost_err[p], fe, payment
                )
                if lost:
                    if limited and clean:
                        clean = False
                        snap_round = rounds
                        snap = (
                            fe.copy(),
                            round_value.copy(),
                            round_err.copy(),
                            round_remaining.copy(),
                        )
                    # The payment bound as a price: the scale's error and the division's
                    # rounding are taken off.
                    lower_price = lower / (scale[p] * (1 + scale_rel[p] + 4 * U)) * (1 - 4 * U)
                    bound = max(above, lower_price)
                    bound_value[p] = bound
                    bound_err[p] = 4 * U * bound
                    continue
            status, price, price_err, payment, payment_err, count = _evaluate(
                lo,
                hi,
                groups,
                weights,
                units,
                weighted_units,
                uniform[p],
                cost[p],
                cost_err[p],
                units_total[p],
                scale[p],
                scale_rel[p],
                fe,
                start,
                floor,
                ratio,
                ratio_err,
                weighted,
                weighted_err,
                capped,
            )
            if status == UNCERTAIN:
                return _result(
                    UNCERTAIN,
                    order,
                    offsets,
                    masks,
                    rounds,
                    snap_round,
                    snap,
                )
            if (status == _UNAFFORDABLE or count) and clean:
                clean = False
                snap_round = rounds
                snap = (fe.copy(), round_value.copy(), round_err.copy(), round_remaining.copy())
            if status == _UNAFFORDABLE:
                remaining[p] = False
                continue
            bound_value[p] = price
            bound_err[p] = price_err
            if best < 0 or price + price_err < best_value - best_err:
                best = p
                best_value = price
                best_err = price_err
                best_payment = payment
                best_payment_err = payment_err
                best_count = count
                best_capped[: hi - lo] = capped[: hi - lo]
            elif not price - price_err > best_value + best_err:
                return _result(
                    UNCERTAIN,
                    order,
                    offsets,
                    masks,
                    rounds,
                    snap_round,
                    snap,
                )
        if best < 0:
            break
        lo = indptr[best]
        hi = indptr[best + 1]
        growth = 2 * U * start
        at = offsets[rounds]
        for j in range(hi - lo):
            g = groups[lo + j]
            if best_count and best_capped[j]:
                fe[g, 0] = 0.0
                fe[g, 1] = 0.0
                masks[at + j] = True
                continue
            if uniform[best]:
                money = fe[g, 0] - best_payment
                error = fe[g, 1] + (best_payment_err + growth)
            else:
                money = fe[g, 0] - best_payment * units[lo + j]
                error = fe[g, 1] + units[lo + j] * best_payment_err + growth
            if not money > 0:
                return _result(
                    UNCERTAIN,
                    order,
                    offsets,
                    masks,
                    rounds,
                    snap_round,
                    snap,
                )
            fe[g, 0] = money
            fe[g, 1] = error
        order[rounds] = best
        offsets[rounds + 1] = at + (hi - lo)
        remaining[best] = False
        rounds += 1
    return _result(OK, order, offsets, masks, rounds, snap_round, snap)
