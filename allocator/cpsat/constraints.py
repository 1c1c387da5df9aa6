"""Constraints of the CP-SAT allocation model, one function per rule.

Hard rules 1–5 and 7 are already applied: only eligible pairs have a
variable. :func:`add_constraints` adds the rest in this order: facilitators
per request, capacity (rule 6) and load, pins, co-facilitators from two
organisations, a lead-capable lead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from allocator.cpsat.variables import Variables
    from allocator.eligibility import Instance


def add_constraints(model: cp_model.CpModel, inst: Instance, v: Variables) -> None:
    """All constraints, in the order stated in the module docstring."""
    _facilitators_per_request(model, inst, v)
    _capacity(model, inst, v)
    _pins(model, inst, v)
    if inst.policy.facilitators_per_request == 2:
        _distinct_organisations(model, inst, v)
        if inst.policy.require_lead:
            _lead_capable(model, inst, v)


def _facilitators_per_request(model: cp_model.CpModel, inst: Instance, v: Variables) -> None:
    """An allocated request has exactly the policy's number of facilitators."""
    need = inst.policy.facilitators_per_request
    for r in range(inst.n_requests):
        model.add(sum(var for _, var in v.by_request[r]) == need * v.y[r])


def _capacity(model: cp_model.CpModel, inst: Instance, v: Variables) -> None:
    """Rule 6: open load + this batch never exceeds the personal maximum."""
    for f in range(inst.n_facilitators):
        model.add(v.load[f] == sum(var for _, var in v.by_facilitator[f]))
        model.add(v.load[f] <= min(inst.capacity[f], inst.n_requests))
        model.add(v.load[f] >= 1).only_enforce_if(v.used[f])
        model.add(v.load[f] == 0).only_enforce_if(~v.used[f])


def _pins(model: cp_model.CpModel, inst: Instance, v: Variables) -> None:
    """A honoured pin: if the request is allocated, the pinned facilitator takes it."""
    for r, pin in inst.pins.items():
        if pin.refused is None:
            model.add(v.x[r, pin.facilitator] == v.y[r])


def _distinct_organisations(model: cp_model.CpModel, inst: Instance, v: Variables) -> None:
    """Co-facilitation: the two facilitators come from two organisations."""
    for r in range(inst.n_requests):
        groups: dict[int, list[cp_model.IntVar]] = {}
        for f, var in v.by_request[r]:
            groups.setdefault(inst.org_groups[f], []).append(var)
        for members in groups.values():
            if len(members) > 1:
                model.add(sum(members) <= 1)


def _lead_capable(model: cp_model.CpModel, inst: Instance, v: Variables) -> None:
    """Co-facilitation: at least one of the two can lead."""
    for r in range(inst.n_requests):
        leads = [var for f, var in v.by_request[r] if inst.facilitators[f].can_lead]
        model.add(sum(leads) >= v.y[r])
