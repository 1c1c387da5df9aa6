"""Allocation engine for JAGS Planner.

Pure: no files, no printing. In: validated domain objects, a policy and a
batch date. Out: an immutable :class:`AllocationResult`.
"""

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
