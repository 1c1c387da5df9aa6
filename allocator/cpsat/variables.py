"""Decision variables of the CP-SAT allocation model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from allocator.eligibility import Instance


@dataclass
class Variables:
    """``x[r, f]``: facilitator ``f`` takes request ``r``; ``y[r]``: ``r`` allocated;
    ``load[f]``: new JAGS for ``f`` (at most ``most[f]``); ``used[f]``: ``f`` takes at
    least one."""

    x: dict[tuple[int, int], cp_model.IntVar]
    y: list[cp_model.IntVar]
    load: list[cp_model.IntVar]
    most: list[int]
    used: list[cp_model.IntVar]
    by_request: list[list[tuple[int, cp_model.IntVar]]]
    by_facilitator: list[list[tuple[int, cp_model.IntVar]]]


def make_variables(model: cp_model.CpModel, inst: Instance) -> Variables:
    """One Boolean per eligible pair and per request; a load per facilitator."""
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_request: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in range(inst.n_requests)]
    by_facilitator: list[list[tuple[int, cp_model.IntVar]]] = [
        [] for _ in range(inst.n_facilitators)
    ]
    for r, edges in enumerate(inst.edges):
        for f in edges:
            var = model.new_bool_var(f"x_{r}_{f}")
            x[r, f] = var
            by_request[r].append((f, var))
            by_facilitator[f].append((r, var))
    y = [model.new_bool_var(f"y_{r}") for r in range(inst.n_requests)]
    # A facilitator takes at most the requests that can reach them, never more than
    # their places: the domain depends on the batch, not on the size of max_open.
    most = [min(inst.capacity[f], len(by_facilitator[f])) for f in range(inst.n_facilitators)]
    load = [model.new_int_var(0, most[f], f"load_{f}") for f in range(inst.n_facilitators)]
    used = [model.new_bool_var(f"used_{f}") for f in range(inst.n_facilitators)]
    return Variables(
        x=x,
        y=y,
        load=load,
        most=most,
        used=used,
        by_request=by_request,
        by_facilitator=by_facilitator,
    )
