"""Allocation results that explain and check themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from allocator.eligibility import pair_code

if TYPE_CHECKING:
    from datetime import date

    from allocator.eligibility import Instance


class SolveStatus(StrEnum):
    """How far the solver got: every stage proven optimal, or only feasible."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"


class Stage(StrEnum):
    """The objectives of DESIGN.md, in strict order."""

    MOST_ALLOCATED = "1_most_allocated"
    OLDEST_FIRST = "2_oldest_first"
    INDEPENDENCE = "3_independence"
    HIGHEST_UTILISATION = "4a_highest_utilisation"
    SPREAD = "4b_spread"
    PREFERENCES = "5_preferences"


STAGE_WORDS = {
    Stage.MOST_ALLOCATED: "most requests allocated",
    Stage.OLDEST_FIRST: "oldest requests first",
    Stage.INDEPENDENCE: "soft independence",
    Stage.HIGHEST_UTILISATION: "lowest highest utilisation",
    Stage.SPREAD: "even spread of workload",
    Stage.PREFERENCES: "preferences",
}


@dataclass(frozen=True)
class StageResult:
    """One objective stage: its optimum (or best found), status and time.

    ``value`` is an int for every stage but the highest utilisation,
    which is an exact fraction (open load ÷ personal maximum).
    """

    stage: Stage
    value: int | Fraction
    status: SolveStatus
    seconds: float


@dataclass(frozen=True)
class Solution:
    """What a solver returns: facilitators per request index (lead first)."""

    chosen: dict[int, tuple[int, ...]]
    stages: tuple[StageResult, ...]
    method: str

    @property
    def status(self) -> SolveStatus:
        if all(s.status is SolveStatus.OPTIMAL for s in self.stages):
            return SolveStatus.OPTIMAL
        return SolveStatus.FEASIBLE


@dataclass(frozen=True)
class Assignment:
    """One row of ``allocations.csv``."""

    request_id: str
    facilitator_id: str
    role: str
    status: str
    allocate_by: date
    reason: str


class Explanation(NamedTuple):
    """One row of ``explanations.csv``: a request and a facilitator."""

    request_id: str
    facilitator_id: str
    eligible: bool
    code: str
    detail: str


@dataclass(frozen=True)
class AllocationResult:
    """The outcome of one batch.

    Attributes
    ----------
    assignments
        Rows of ``allocations.csv`` in request age order.
    stages
        Each objective stage's value and status.
    status
        ``optimal`` when every stage was proven optimal, else ``feasible``.
    method
        ``flow`` or ``cpsat``.
    runtime
        Seconds spent solving (all stages).
    """

    instance: Instance = field(repr=False)
    chosen: dict[int, tuple[int, ...]]
    assignments: tuple[Assignment, ...]
    stages: tuple[StageResult, ...]
    status: SolveStatus
    method: str
    runtime: float
    reasons: dict[str, str]
    unblock: dict[str, str]

    @property
    def on(self) -> date:
        return self.instance.on

    def stage_value(self, stage: Stage) -> int | Fraction:
        """The value of ``stage`` as the solver reported it."""
        return next(s.value for s in self.stages if s.stage is stage)

    def facilitators_of(self, request_id: str) -> tuple[str, ...]:
        """Facilitator ids given to a request (lead first); empty when waiting."""
        return self._by_request.get(request_id, ())

    def status_of(self, request_id: str) -> str:
        """``allocated``, ``pinned`` or ``unallocated`` (the lead's row when co-facilitated)."""
        return self._status[request_id]

    @cached_property
    def _by_request(self) -> dict[str, tuple[str, ...]]:
        given: dict[str, list[str]] = {}
        for a in self.assignments:
            if a.facilitator_id:
                given.setdefault(a.request_id, []).append(a.facilitator_id)
        return {rid: tuple(fids) for rid, fids in given.items()}

    @cached_property
    def _status(self) -> dict[str, str]:
        status: dict[str, str] = {}
        for a in self.assignments:  # a co-facilitated request: its lead's row
            status.setdefault(a.request_id, a.status)
        return status

    @property
    def summary(self) -> dict[str, int]:
        """Counts for the run summary: requests, allocated, pinned, waiting, breaches."""
        inst = self.instance
        pinned = sum(1 for r in self.chosen if _pin_used(inst, r, self.chosen[r]))
        breaches = 0
        for r in range(inst.n_requests):
            due = inst.allocate_by[r]
            if (r in self.chosen and inst.on > due) or (r not in self.chosen and inst.on >= due):
                breaches += 1
        return {
            "requests": inst.n_requests,
            "allocated": len(self.chosen),
            "pinned": pinned,
            "waiting": inst.n_requests - len(self.chosen),
            "allocate_by_breaches": breaches,
        }

    @property
    def flagged(self) -> list[tuple[str, str]]:
        """Facilitators excluded for incomplete records: (id, what is missing)."""
        inst = self.instance
        return [
            (fac.facilitator_id, inst.facilitator_detail[f])
            for f, fac in enumerate(inst.facilitators)
            if inst.facilitator_code[f] == "missing_data"
        ]

    def objectives(self) -> dict[Stage, int | Fraction]:
        """Every stage's value recomputed from the assignment and the data."""
        return objective_values(self.instance, self.chosen)

    def check(self) -> list[str]:
        """Hard-rule and capacity violations recomputed from the data (empty when valid)."""
        return check_solution(self.instance, self.chosen)


def _pin_used(inst: Instance, r: int, chosen: tuple[int, ...]) -> bool:
    pin = inst.pins.get(r)
    return pin is not None and pin.refused is None and pin.facilitator in chosen


def loads(inst: Instance, chosen: dict[int, tuple[int, ...]]) -> list[int]:
    """New JAGS per facilitator index in this batch."""
    count = [0] * inst.n_facilitators
    for fs in chosen.values():
        for f in fs:
            count[f] += 1
    return count


def spread_cost(open_load: int, max_open: int, new: int) -> int:
    """Stage 4b cost of a facilitator with ``new`` JAGS from this batch.

    ⌊10000 · ((open + new) ÷ max)²⌋ less the same with no new JAGS: the rise
    in squared utilisation, in units of 1/10000. Convex in ``new``, so
    the flow model can price each extra JAGS with an increasing arc cost.
    """
    if max_open <= 0:
        return 0
    return _square(open_load + new, max_open) - _square(open_load, max_open)


def spread_steps(open_load: int, max_open: int, most: int) -> list[int]:
    """The cost of each successive new JAGS, 1 to ``most``: ``spread_cost(…, k) −
    spread_cost(…, k − 1)`` for k = 1 … ``most`` (the flow model's arc costs)."""
    if max_open <= 0:
        return [0] * most
    squares = [_square(open_load + k, max_open) for k in range(most + 1)]
    return [squares[k] - squares[k - 1] for k in range(1, most + 1)]


def _square(load: int, max_open: int) -> int:
    """⌊10000 · (load ÷ max)²⌋."""
    return (10000 * load * load) // (max_open * max_open)


def objective_values(
    inst: Instance, chosen: dict[int, tuple[int, ...]]
) -> dict[Stage, int | Fraction]:
    """Each stage's value for ``chosen``, computed from the data alone."""
    count = loads(inst, chosen)
    utilisation = [
        Fraction(inst.open_load[f] + count[f], inst.max_open[f])
        for f in range(inst.n_facilitators)
        if count[f] > 0
    ]
    pairs = [(r, f) for r, fs in chosen.items() for f in fs]
    at_r = np.asarray([r for r, _ in pairs], dtype=np.int64)
    at_f = np.asarray([f for _, f in pairs], dtype=np.int64)
    penalty = int(inst.scores.penalty(at_r, at_f).sum())
    penalty += sum(_pair_sector_penalty(inst, fs) for fs in chosen.values())
    return {
        Stage.MOST_ALLOCATED: len(chosen),
        Stage.OLDEST_FIRST: sum(chosen),
        Stage.INDEPENDENCE: penalty,
        Stage.HIGHEST_UTILISATION: max(utilisation, default=Fraction(0)),
        Stage.SPREAD: sum(
            spread_cost(inst.open_load[f], inst.max_open[f], count[f])
            for f in range(inst.n_facilitators)
        ),
        Stage.PREFERENCES: int(inst.scores.preference(at_r, at_f).sum()),
    }


def _pair_sector_penalty(inst: Instance, chosen: tuple[int, ...]) -> int:
    if len(chosen) == 2 and inst.sector_groups[chosen[0]] == inst.sector_groups[chosen[1]]:
        return inst.policy.penalties.same_sector_pair
    return 0


def check_solution(inst: Instance, chosen: dict[int, tuple[int, ...]]) -> list[str]:
    """Violations of the hard rules, capacity and co-facilitation (empty when valid)."""
    problems: list[str] = []
    per_request = inst.policy.facilitators_per_request
    for r, fs in sorted(chosen.items()):
        rid = inst.requests[r].request_id
        if len(fs) != per_request or len(set(fs)) != len(fs):
            problems.append(f"{rid}: {len(fs)} facilitators, policy needs {per_request}")
        for f in fs:
            code = pair_code(inst, r, f)
            if code is not None:
                problems.append(f"{rid}: {inst.facilitators[f].facilitator_id} breaks {code}")
        pin = inst.pins.get(r)
        if pin is not None and pin.refused is None and pin.facilitator not in fs:
            problems.append(f"{rid}: pinned facilitator not used")
        if per_request == 2 and len(fs) == 2:
            if inst.org_groups[fs[0]] == inst.org_groups[fs[1]]:
                problems.append(f"{rid}: co-facilitators share an organisation")
            if inst.policy.require_lead and not inst.facilitators[fs[0]].can_lead:
                problems.append(f"{rid}: lead is not lead-capable")
    for f, n in enumerate(loads(inst, chosen)):
        if n > inst.capacity[f]:
            fid = inst.facilitators[f].facilitator_id
            problems.append(f"{fid}: {n} new JAGS but only {inst.capacity[f]} places")
    return problems
