"""Allocation engine for JAGS Planner.

Pure: no files, no printing. In: validated domain objects, a policy and a
batch date. Out: an immutable :class:`AllocationResult`.

The names below are loaded when first used, so importing one part of the
engine (the models, the policy) does not load the solvers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allocator.eligibility import Code, Instance, build_instance, pair_code
    from allocator.errors import (
        DataWarning,
        InputError,
        Issue,
        PolicyError,
        SolverError,
        WorkspaceError,
    )
    from allocator.explain import Explainer
    from allocator.models import (
        Attendance,
        Facilitator,
        Involvement,
        Leave,
        Mode,
        Organisation,
        Participant,
        PastRole,
        PastSession,
        Request,
        Workspace,
        normalise_email,
        normalise_org,
    )
    from allocator.policy import PRESETS, Policy
    from allocator.result import AllocationResult, Assignment, Explanation, SolveStatus, Stage
    from allocator.solve import allocate, solve_instance
    from allocator.state import DayState
    from allocator.workdays import WorkingCalendar

_HOME = {
    "allocator.eligibility": ("Code", "Instance", "build_instance", "pair_code"),
    "allocator.errors": (
        "DataWarning",
        "InputError",
        "Issue",
        "PolicyError",
        "SolverError",
        "WorkspaceError",
    ),
    "allocator.explain": ("Explainer",),
    "allocator.models": (
        "Attendance",
        "Facilitator",
        "Involvement",
        "Leave",
        "Mode",
        "Organisation",
        "Participant",
        "PastRole",
        "PastSession",
        "Request",
        "Workspace",
        "normalise_email",
        "normalise_org",
    ),
    "allocator.policy": ("PRESETS", "Policy"),
    "allocator.result": ("AllocationResult", "Assignment", "Explanation", "SolveStatus", "Stage"),
    "allocator.solve": ("allocate", "solve_instance"),
    "allocator.state": ("DayState",),
    "allocator.workdays": ("WorkingCalendar",),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = [
    "PRESETS",
    "AllocationResult",
    "Assignment",
    "Attendance",
    "Code",
    "DataWarning",
    "DayState",
    "Explainer",
    "Explanation",
    "Facilitator",
    "InputError",
    "Instance",
    "Involvement",
    "Issue",
    "Leave",
    "Mode",
    "Organisation",
    "Participant",
    "PastRole",
    "PastSession",
    "Policy",
    "PolicyError",
    "Request",
    "SolveStatus",
    "SolverError",
    "Stage",
    "WorkingCalendar",
    "Workspace",
    "WorkspaceError",
    "allocate",
    "build_instance",
    "normalise_email",
    "normalise_org",
    "pair_code",
    "solve_instance",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'allocator' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
