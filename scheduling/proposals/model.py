"""The CP-SAT model of a batch (rule 4): variables, then one function per hard rule.

:func:`build_model` makes one Boolean per candidate slot per session and
adds, in this order: :func:`_one_slot_per_session`,
:func:`_most_sessions_placed`, :func:`_no_double_booking` and
:func:`_facilitator_day_limit`. Objectives are set per stage by
:mod:`scheduling.proposals.solve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import date, datetime

    from allocator.policy import Policy
    from scheduling.proposals.candidates import Candidate, Plan

__all__ = ["REST", "STAGES", "Batch", "build_model"]

#: The batch criteria, in order: indexes into ``Candidate.parts``.
STAGES = ("tentative", "optional busy", "unknown", "working day", "gap", "start time")
REST = -1  # an incumbent's choice meaning "a slot pruned out of the pool" (relaxation)


@dataclass
class Batch:
    """The CP-SAT model of a batch.

    ``take[i][j]``: session ``i`` takes ``pools[i][j]``. ``rest[i]``: session
    ``i`` takes one of its slots left out of ``pools[i]``, a relaxation that
    uses no one's time and costs, in every criterion, the least any
    left-out slot costs (``rest_parts[i]``). Every unpruned solution maps to
    a relaxed one no worse in any criterion, so the relaxed lexicographic
    optimum is a bound for the unpruned batch, and equals it when no
    ``rest`` is taken.
    """

    model: Any
    pools: Sequence[list[Candidate]]
    take: list[list[Any]]
    rest: list[Any | None]
    rest_parts: list[tuple[int, ...]]

    def criterion(self, stage: int) -> Any:
        """The batch total of one criterion."""
        terms: list[Any] = []
        weights: list[int] = []
        for pool, group, other, parts in zip(
            self.pools, self.take, self.rest, self.rest_parts, strict=True
        ):
            terms.extend(group)
            weights.extend(c.parts[stage] for c in pool)
            if other is not None:
                terms.append(other)
                weights.append(parts[stage])
        return cp_model.LinearExpr.weighted_sum(terms, weights)

    def value(self, stage: int, choice: Sequence[int | None]) -> int:
        """The criterion's total for an incumbent ``choice`` (pool index, ``REST`` or None)."""
        total = 0
        for pool, parts, j in zip(self.pools, self.rest_parts, choice, strict=True):
            if j == REST:
                total += parts[stage]
            elif j is not None:
                total += pool[j].parts[stage]
        return total

    def lower_bound(self, stage: int) -> int:
        """Each session at its own best for the criterion (valid when every one is placed)."""
        total = 0
        for pool, other, parts in zip(self.pools, self.rest, self.rest_parts, strict=True):
            options = [c.parts[stage] for c in pool] + ([parts[stage]] if other is not None else [])
            total += min(options, default=0)
        return total

    def hint(self, choice: Sequence[int | None]) -> None:
        self.model.clear_hints()
        for group, other, j in zip(self.take, self.rest, choice, strict=True):
            for index, x in enumerate(group):
                self.model.add_hint(x, index == j)
            if other is not None:
                self.model.add_hint(other, j == REST)

    def choice(self, solver: cp_model.CpSolver) -> list[int | None]:
        out: list[int | None] = []
        for group, other in zip(self.take, self.rest, strict=True):
            j = next((index for index, x in enumerate(group) if solver.boolean_value(x)), None)
            if j is None and other is not None and solver.boolean_value(other):
                j = REST
            out.append(j)
        return out


def _one_slot_per_session(
    model: Any, take: Sequence[list[Any]], rest: Sequence[Any | None], exact: bool
) -> None:
    """Each session takes one slot, or at most one when not every session can be placed."""
    for group, other in zip(take, rest, strict=True):
        literals = [*group, *([other] if other is not None else [])]
        if literals:
            (model.add_exactly_one if exact else model.add_at_most_one)(literals)


def _most_sessions_placed(
    model: Any, take: Sequence[list[Any]], rest: Sequence[Any | None], placed: int
) -> None:
    """At least ``placed`` sessions placed (the most the batch allows, found first)."""
    literals = [x for group in take for x in group] + [y for y in rest if y is not None]
    model.add(sum(literals) >= placed)


def _no_double_booking(
    model: Any, plans: Sequence[Plan], pools: Sequence[list[Candidate]], take: Sequence[list[Any]]
) -> None:
    """A person in several sessions of the batch attends at most one at a time.

    Every candidate is an interval fixed in time, present when taken, so a
    per-person no-overlap (``AddNoOverlap`` over optional intervals) is
    exactly: at each candidate start, at most one of the person's
    candidates covering it is taken (an interval graph's maximal cliques
    begin at interval starts). The Boolean form has the same solutions and
    propagates and relaxes far better in CP-SAT.
    """
    items: dict[str, list[tuple[datetime, datetime, int, Any]]] = {}
    for i, (plan, pool) in enumerate(zip(plans, pools, strict=True)):
        for attendee in plan.session.attendees:
            items.setdefault(attendee.email, []).extend(
                (c.slot.start, c.slot.end, i, x) for c, x in zip(pool, take[i], strict=True)
            )
    for person in items.values():
        if len({i for _, _, i, _ in person}) < 2:
            continue
        person.sort(key=lambda item: (item[0], item[2]))
        active: list[tuple[datetime, datetime, int, Any]] = []
        for position, item in enumerate(person):
            active.append(item)
            if position + 1 < len(person) and person[position + 1][0] == item[0]:
                continue  # every candidate starting at this time joins first
            active = [a for a in active if a[1] > item[0]]
            if len({i for _, _, i, _ in active}) > 1:
                model.add_at_most_one([x for _, _, _, x in active])


def _facilitator_day_limit(
    model: Any,
    plans: Sequence[Plan],
    pools: Sequence[list[Candidate]],
    take: Sequence[list[Any]],
    limit: int,
    taken: Mapping[tuple[str, date], int],
) -> None:
    """At most ``limit`` sessions per facilitator per working day, counting those
    already booked (``taken``)."""
    per_day: dict[tuple[str, date], list[tuple[int, Any]]] = {}
    for i, (plan, pool) in enumerate(zip(plans, pools, strict=True)):
        for attendee in plan.session.attendees:
            if attendee.facilitator:
                for candidate, x in zip(pool, take[i], strict=True):
                    per_day.setdefault((attendee.email, candidate.slot.day), []).append((i, x))
    for key, group in per_day.items():
        room = limit - taken.get(key, 0)
        if len({i for i, _ in group}) > room:
            model.add(sum(x for _, x in group) <= max(room, 0))


def build_model(
    plans: Sequence[Plan],
    pools: Sequence[list[Candidate]],
    full: Sequence[list[Candidate]],
    policy: Policy,
    placed: int | None,
    taken: Mapping[tuple[str, date], int],
) -> Batch:
    """The batch model's variables and hard rules, in order; objectives are set per stage.

    ``placed``: sessions that must be placed (``None``: any number).
    """
    model = cp_model.CpModel()
    take = [
        [model.new_bool_var(f"take_{i}_{j}") for j in range(len(pool))]
        for i, pool in enumerate(pools)
    ]
    rest: list[Any | None] = []
    rest_parts: list[tuple[int, ...]] = []
    for i, (pool, every) in enumerate(zip(pools, full, strict=True)):
        kept = {id(c) for c in pool}
        left = [c.parts for c in every if id(c) not in kept]
        rest.append(model.new_bool_var(f"rest_{i}") if left else None)
        rest_parts.append(
            tuple(min(column) for column in zip(*left, strict=True)) if left else (0,) * len(STAGES)
        )
    possible = sum(1 for every in full if every)
    exact = placed is not None and placed == possible
    _one_slot_per_session(model, take, rest, exact)
    if placed is not None and not exact:
        _most_sessions_placed(model, take, rest, placed)
    _no_double_booking(model, plans, pools, take)
    _facilitator_day_limit(
        model, plans, pools, take, policy.max_sessions_per_facilitator_per_day, taken
    )
    return Batch(model, pools, take, rest, rest_parts)
