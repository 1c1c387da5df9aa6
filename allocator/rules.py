"""The hard rules of DESIGN.md, one function each.

Facilitator-wide rules (training, activity, leave, capacity, missing data)
look at one facilitator on the batch date. Request-specific rules (shared
organisation, prior involvement, participant, declined) look at one
request's case network and return every facilitator they exclude from it.
Eligibility, pair codes and explanations all call these functions; no rule
is written anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from allocator.models import Facilitator, Request, Workspace
    from allocator.policy import Policy
    from allocator.state import DayState


class Code(StrEnum):
    """Why a facilitator cannot take a request (DESIGN.md hard rules)."""

    NOT_TRAINED = "not_trained"
    INACTIVE = "inactive"
    ON_LEAVE = "on_leave"
    SHARES_ORGANISATION = "shares_organisation"
    PRIOR_INVOLVEMENT = "prior_involvement"
    IS_PARTICIPANT = "is_participant"
    AT_CAPACITY = "at_capacity"
    MISSING_DATA = "missing_data"
    DECLINED = "declined"
    """The facilitator declined this request earlier (a request-specific exclusion)."""


Failure = tuple[Code, str]
"""A rule that fails, with a plain detail."""


# Facilitator-wide rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """What the facilitator-wide rules read besides the facilitator."""

    workspace: Workspace
    policy: Policy
    on: date
    window_days: tuple[date, ...]
    """Working days of the expected session window."""
    unavailable: frozenset[str]
    """Facilitator ids with no free slot in the window (calendar-aware allocation)."""


def missing_data(fac: Facilitator, _day: Day, _open_load: int) -> Failure | None:
    """Rule 7: a field the rules need is empty."""
    missing = fac.missing_fields
    if missing:
        return Code.MISSING_DATA, f"record incomplete: {', '.join(missing)} missing"
    return None


def inactive(fac: Facilitator, _day: Day, _open_load: int) -> Failure | None:
    """Rule 2: not active in the facilitator network."""
    return (Code.INACTIVE, "not active in the facilitator network") if not fac.active else None


def not_trained(fac: Facilitator, day: Day, _open_load: int) -> Failure | None:
    """Rule 1: training completes after the batch date, or has expired."""
    if fac.trained_on is None:  # reported as missing data
        return None
    if fac.trained_on > day.on:
        return Code.NOT_TRAINED, f"training completes on {fac.trained_on.isoformat()}"
    expires = fac.training_expires
    if expires is None and day.policy.training_valid_months is not None:
        expires = add_months(fac.trained_on, day.policy.training_valid_months)
    if expires is not None and expires < day.on:
        return Code.NOT_TRAINED, f"training expired on {expires.isoformat()}"
    return None


def on_leave(fac: Facilitator, day: Day, _open_load: int) -> Failure | None:
    """Rule 2: on leave on the batch date or for the whole expected window, or no
    free slot in the window (calendar-aware allocation)."""
    leave = day.workspace.leave_by_facilitator.get(fac.facilitator_id, ())
    if not leave:
        return _no_slot(fac, day)
    for lv in leave:
        if lv.start <= day.on <= lv.end:
            return Code.ON_LEAVE, f"on leave until {lv.end.isoformat()}"
    days = day.window_days
    if days and all(any(lv.start <= d <= lv.end for lv in leave) for d in days):
        return (
            Code.ON_LEAVE,
            f"on leave for the whole expected session window "
            f"{days[0].isoformat()} to {days[-1].isoformat()}",
        )
    return _no_slot(fac, day)


def _no_slot(fac: Facilitator, day: Day) -> Failure | None:
    if fac.facilitator_id in day.unavailable:
        return Code.ON_LEAVE, "no free session slot in the expected window (calendar)"
    return None


def at_capacity(fac: Facilitator, _day: Day, open_load: int) -> Failure | None:
    """Rule 6: open load already at the personal maximum."""
    if fac.max_open is not None and open_load >= fac.max_open:
        return Code.AT_CAPACITY, f"already at {open_load} of {fac.max_open} open JAGS"
    return None


FACILITATOR_RULES: tuple[Callable[[Facilitator, Day, int], Failure | None], ...] = (
    missing_data,
    inactive,
    not_trained,
    on_leave,
    at_capacity,
)
"""Facilitator-wide rules in the order their codes are reported."""


def facilitator_failures(fac: Facilitator, day: Day, open_load: int) -> tuple[Failure, ...]:
    """Every facilitator-wide rule that ``fac`` fails, in :data:`FACILITATOR_RULES` order."""
    found = []
    for rule in FACILITATOR_RULES:
        failure = rule(fac, day, open_load)
        if failure is not None:
            found.append(failure)
    return tuple(found)


# Request-specific rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """One request's case network, as the request-specific rules see it."""

    request: Request
    orgs: frozenset[str]
    """Normalised organisations of the requester and every participant."""
    emails: frozenset[str]
    """E-mails of the requester and every participant."""


class Directory:
    """Facilitator indexes the request-specific rules look up (built once per batch).

    Parameters
    ----------
    facilitators
        The batch's facilitators; positions are the indices the rules return.
    workspace
        For involvements.
    state
        The day's declined pairs (default ``None``: none declined).
    """

    def __init__(
        self,
        facilitators: Iterable[Facilitator],
        workspace: Workspace,
        state: DayState | None = None,
    ) -> None:
        facs = list(facilitators)
        index = {f.facilitator_id: i for i, f in enumerate(facs)}
        self.groups: dict[str, int] = {}
        """Organisation key → organisation group, numbered in facilitator order."""
        self.group_of = [self.groups.setdefault(f.org_key, len(self.groups)) for f in facs]
        """Facilitator index → organisation group."""
        self.by_email = _grouped((f.email, i) for i, f in enumerate(facs))
        self.by_case = _grouped(
            (inv.case_ref.casefold(), index[inv.facilitator_id])
            for inv in workspace.involvements
            if inv.case_ref
        )
        self.by_family = _grouped(
            (inv.family_ref.casefold(), index[inv.facilitator_id])
            for inv in workspace.involvements
            if inv.family_ref
        )
        declined = state.declined if state is not None else frozenset()
        self.declined = _grouped((rid, index[fid]) for rid, fid in declined if fid in index)


def _grouped(pairs: Iterable[tuple[str, int]]) -> dict[str, tuple[int, ...]]:
    """Key → its distinct indices, ascending."""
    groups: dict[str, tuple[int, ...]] = {}
    unsorted = False
    for key, i in pairs:
        members = groups.get(key)
        if members is None:
            groups[key] = (i,)
        elif i not in members:
            groups[key] = (*members, i)
            unsorted = unsorted or i < members[-1]
    if unsorted:
        return {key: tuple(sorted(members)) for key, members in groups.items()}
    return groups


def is_participant(directory: Directory, network: Network) -> set[int]:
    """Rule 5: facilitators who are the requester or a participant."""
    return {i for email in network.emails for i in directory.by_email.get(email, ())}


def prior_involvement(directory: Directory, network: Network) -> set[int]:
    """Rule 4: facilitators with a listed involvement with the case or the family."""
    req = network.request
    found = set(directory.by_case.get(req.case_ref.casefold(), ()))
    if req.family_ref:
        found.update(directory.by_family.get(req.family_ref.casefold(), ()))
    return found


def declined(directory: Directory, network: Network) -> set[int]:
    """Facilitators who declined this request earlier (from the day's state)."""
    return set(directory.declined.get(network.request.request_id, ()))


def shares_organisation(directory: Directory, network: Network) -> frozenset[int]:
    """Rule 3: the organisation groups of the case network; every facilitator of
    these organisations is excluded (a group can hold hundreds, so the rule answers
    with organisations, not people)."""
    return frozenset(
        g for org in network.orgs if org and (g := directory.groups.get(org)) is not None
    )


PERSON_RULES: tuple[tuple[Code, Callable[[Directory, Network], set[int]]], ...] = (
    (Code.IS_PARTICIPANT, is_participant),
    (Code.PRIOR_INVOLVEMENT, prior_involvement),
    (Code.DECLINED, declined),
)
"""Request-specific rules about people, in the order their codes are reported; rule 3
(:func:`shares_organisation`) comes after them."""


def person_exclusions(directory: Directory, network: Network) -> dict[int, Code]:
    """Facilitator index → the first rule about people excluding it from this request."""
    found: dict[int, Code] = {}
    for code, rule in PERSON_RULES:
        for i in sorted(rule(directory, network)):
            found.setdefault(i, code)
    return found


REQUEST_RULE_DETAIL = {
    Code.IS_PARTICIPANT: "is the requester or a participant in this case",
    Code.PRIOR_INVOLVEMENT: "has prior involvement with the case or family",
    Code.DECLINED: "declined this request earlier",
}
"""Plain details of the request-specific codes (shared organisation names the employer)."""


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    return date(year, month + 1, 1) - timedelta(days=1)  # pragma: no cover
