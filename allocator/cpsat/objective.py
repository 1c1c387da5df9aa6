"""The objective of each stage as a CP-SAT expression (DESIGN.md order)."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from allocator.result import spread_cost

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from allocator.cpsat.variables import Variables
    from allocator.eligibility import Instance


def most_allocated(v: Variables) -> cp_model.LinearExprT:
    """Stage 1 (maximise): requests allocated."""
    return sum(v.y)


def oldest_first(v: Variables) -> cp_model.LinearExprT:
    """Stage 2 (minimise): sum of the age ranks of allocated requests."""
    return sum(r * y for r, y in enumerate(v.y))


def independence(model: cp_model.CpModel, inst: Instance, v: Variables) -> cp_model.LinearExprT:
    """Stage 3 (minimise): soft-independence penalties, plus one per co-facilitated
    pair from a single sector."""
    terms: list[cp_model.LinearExprT] = []
    for r, edges in enumerate(inst.edges):
        for f, weight in zip(edges, inst.penalty[r], strict=True):
            if weight:
                terms.append(weight * v.x[r, f])
    pair_weight = inst.policy.penalties.same_sector_pair
    if inst.policy.facilitators_per_request == 2 and pair_weight:
        for r in range(inst.n_requests):
            sectors: dict[int, list[cp_model.IntVar]] = {}
            for f, var in v.by_request[r]:
                sectors.setdefault(inst.sector_groups[f], []).append(var)
            for s, members in sectors.items():
                if len(members) > 1:
                    both = model.new_bool_var(f"same_sector_{r}_{s}")
                    model.add(sum(members) - 1 <= both)
                    terms.append(pair_weight * both)
    return sum(terms)


def utilisation_levels(inst: Instance, v: Variables) -> list[Fraction]:
    """Every utilisation a facilitator given work can reach in this batch, ascending:
    open load + 1, 2, … up to their load's upper bound, over their personal maximum."""
    return sorted(
        {
            Fraction(inst.open_load[f] + k, inst.max_open[f])
            for f in range(inst.n_facilitators)
            for k in range(1, v.most[f] + 1)
        }
    )


def highest_utilisation(model: cp_model.CpModel, inst: Instance, v: Variables) -> cp_model.IntVar:
    """Stage 4a (minimise): the highest utilisation among the facilitators given work
    in this batch, as its rank in :func:`utilisation_levels` (exact, whatever the
    size of the personal maxima)."""
    levels = utilisation_levels(inst, v)
    rank = {level: i for i, level in enumerate(levels)}
    highest = model.new_int_var(0, max(len(levels) - 1, 0), "highest_utilisation")
    for f in range(inst.n_facilitators):
        if v.most[f]:
            table = [0] + [
                rank[Fraction(inst.open_load[f] + k, inst.max_open[f])]
                for k in range(1, v.most[f] + 1)
            ]
            mine = model.new_int_var(0, max(table), f"utilisation_{f}")
            model.add_element(v.load[f], table, mine)
            model.add(highest >= mine)
    return highest


def spread(model: cp_model.CpModel, inst: Instance, v: Variables) -> cp_model.LinearExprT:
    """Stage 4b (minimise): the rise in squared utilisation (see ``spread_cost``)."""
    terms: list[cp_model.IntVar] = []
    for f in range(inst.n_facilitators):
        if not v.by_facilitator[f]:
            continue
        table = [spread_cost(inst.open_load[f], inst.max_open[f], k) for k in range(v.most[f] + 1)]
        cost = model.new_int_var(0, max(table), f"spread_{f}")
        model.add_element(v.load[f], table, cost)
        terms.append(cost)
    return sum(terms)


def preferences(inst: Instance, v: Variables) -> cp_model.LinearExprT:
    """Stage 5 (maximise): specialism and locality preferences."""
    return sum(
        weight * v.x[r, f]
        for r, edges in enumerate(inst.edges)
        for f, weight in zip(edges, inst.preference[r], strict=True)
        if weight
    )
