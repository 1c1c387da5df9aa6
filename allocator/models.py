"""Domain models: facilitators, leave, requests, participants, involvements, history.

Every model is frozen. A :class:`Workspace` is validated as a whole: each
record checks its own fields, and the workspace checks references across
tables, collecting every problem it finds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from allocator.errors import Issue, WorkspaceError

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 14)
def normalise_org(name: str) -> str:
    """Organisation key: case and spacing ignored (``"NHS  Trust"`` == ``"nhs trust"``).

    Remembers the last 16,384 names: the same organisations, localities and topics
    come back in every batch."""
    return _SPACE.sub("", name).casefold()


def normalise_email(email: str) -> str:
    """E-mail key: surrounding spaces removed, case ignored."""
    return email.strip().casefold()


def _email(value: str) -> str:
    if "@" not in value:
        raise ValueError("is not an e-mail address")
    return normalise_email(value)


Email = Annotated[str, Field(min_length=3), AfterValidator(_email)]
"""An e-mail address, compared ignoring case."""


class Frozen(BaseModel):
    """Base for immutable domain records."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    def replace(self, **changes: Any) -> Self:
        """A validated copy with ``changes`` applied; the original is untouched."""
        return type(self).model_validate({**self.model_dump(), **changes})


class Mode(StrEnum):
    """How a session is held."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    EITHER = "either"


class Attendance(StrEnum):
    """Whether a participant must attend."""

    REQUIRED = "required"
    OPTIONAL = "optional"


class Facilitator(Frozen):
    """A trained JAGS facilitator.

    ``organisation``, ``sector``, ``trained_on`` and ``max_open`` may be
    ``None`` (an empty cell): such a facilitator is excluded with
    ``missing_data`` rather than stopping the batch.
    """

    facilitator_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: Email
    organisation: str | None = None
    sector: str | None = None
    locality: str | None = None
    trained_on: date | None = None
    training_expires: date | None = None
    max_open: int | None = Field(default=None, ge=0)
    open_jags: int = Field(default=0, ge=0)
    can_lead: bool = True
    specialisms: tuple[str, ...] = ()
    active: bool = True

    @property
    def missing_fields(self) -> tuple[str, ...]:
        """The fields the allocation rules need that are empty."""
        if (
            self.organisation
            and self.sector
            and self.trained_on is not None
            and self.max_open is not None
        ):
            return ()
        needed = ("organisation", "sector", "trained_on", "max_open")
        return tuple(name for name in needed if getattr(self, name) in (None, ""))

    @cached_property
    def org_key(self) -> str:
        """Normalised organisation (empty when missing)."""
        return normalise_org(self.organisation or "")


class Leave(Frozen):
    """A facilitator's leave, ``start`` to ``end`` inclusive."""

    facilitator_id: str = Field(min_length=1)
    start: date
    end: date

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class Participant(Frozen):
    """A professional invited to a request's session."""

    request_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: Email
    organisation: str = Field(min_length=1)
    attendance: Attendance = Attendance.REQUIRED


class Request(Frozen):
    """One application for a JAGS."""

    request_id: str = Field(min_length=1)
    received_at: datetime
    requester_name: str = Field(min_length=1)
    requester_email: Email
    requester_organisation: str = Field(min_length=1)
    case_ref: str = Field(min_length=1)
    family_ref: str | None = None
    locality: str | None = None
    mode: Mode = Mode.EITHER
    topic: str | None = None
    preferred_facilitator_id: str | None = None
    preference_rationale: str | None = None
    follow_up_of: str | None = None


class Involvement(Frozen):
    """A facilitator's earlier involvement with a case or a family."""

    facilitator_id: str = Field(min_length=1)
    case_ref: str | None = None
    family_ref: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_ref(self) -> Self:
        if not self.case_ref and not self.family_ref:
            raise ValueError("needs a case_ref or a family_ref")
        return self


class PastRole(StrEnum):
    """A facilitator's role in a co-facilitated JAGS."""

    LEAD = "lead"
    CO = "co"


class PastSession(Frozen):
    """An earlier JAGS (``history.csv``): who facilitated it and who attended.

    Used for follow-ups (which keep their facilitator), for the
    "worked alongside a participant within 12 months" penalty, for open
    load (a row without ``closed_on`` is open) and to say which open JAGS
    frees a place. A co-facilitated JAGS has one row per facilitator.
    """

    request_id: str = Field(min_length=1)
    facilitator_id: str = Field(min_length=1)
    role: PastRole | None = None
    """``lead`` or ``co`` for a co-facilitated JAGS (one row per facilitator)."""
    allocated_on: date | None = None
    held_on: date | None = None
    closed_on: date | None = None
    attendees: tuple[str, ...] = ()

    @field_validator("attendees")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalise_email(v) for v in value if v.strip())


class Organisation(Frozen):
    """An organisation's sector and locality (``organisations.csv``, optional)."""

    organisation: str = Field(min_length=1)
    sector: str = Field(min_length=1)
    locality: str | None = None


class Workspace(Frozen):
    """Everything one allocation batch reads, validated as a whole.

    Raises :class:`~allocator.errors.WorkspaceError` listing every
    duplicate id and unknown reference, each as an :class:`Issue` naming
    the table, record index and column.
    """

    facilitators: tuple[Facilitator, ...] = ()
    leave: tuple[Leave, ...] = ()
    requests: tuple[Request, ...] = ()
    participants: tuple[Participant, ...] = ()
    involvements: tuple[Involvement, ...] = ()
    history: tuple[PastSession, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    known_requests: frozenset[str] = frozenset()
    """Ids of earlier requests kept elsewhere (the ledger) that ``follow_up_of`` may name
    besides ``history``."""

    def __init__(self, **tables: Any) -> None:
        # Checked here rather than in a validator: pydantic would wrap the
        # WorkspaceError (a ValueError) and lose its list of issues.
        super().__init__(**tables)
        issues = self.check()
        if issues:
            raise WorkspaceError(issues)

    def replace(self, **changes: Any) -> Self:
        """A copy with some tables replaced, checked again as a whole."""
        return type(self)(
            **{**{name: getattr(self, name) for name in type(self).model_fields}, **changes}
        )

    def check(self) -> list[Issue]:
        """Duplicate ids and references to unknown ids, in table order."""
        issues: list[Issue] = []
        issues += _duplicates(
            "facilitators", "facilitator_id", [f.facilitator_id for f in self.facilitators]
        )
        issues += _duplicates("requests", "request_id", [r.request_id for r in self.requests])
        seen_rows: set[tuple[str, str]] = set()
        for i, h in enumerate(self.history):
            key = (h.request_id, h.facilitator_id)
            if key in seen_rows:
                issues.append(
                    Issue(
                        "history",
                        i,
                        "facilitator_id",
                        f"facilitator {h.facilitator_id!r} appears twice for "
                        f"request {h.request_id!r}",
                    )
                )
            seen_rows.add(key)
        issues += _duplicates(
            "organisations",
            "organisation",
            [normalise_org(o.organisation) for o in self.organisations],
        )
        fac_ids = {f.facilitator_id for f in self.facilitators}
        req_ids = {r.request_id for r in self.requests}
        past_ids = {h.request_id for h in self.history} | self.known_requests
        for i, lv in enumerate(self.leave):
            if lv.facilitator_id not in fac_ids:
                issues.append(
                    Issue(
                        "leave", i, "facilitator_id", f"unknown facilitator {lv.facilitator_id!r}"
                    )
                )
        for i, p in enumerate(self.participants):
            if p.request_id not in req_ids:
                issues.append(
                    Issue("participants", i, "request_id", f"unknown request {p.request_id!r}")
                )
        for i, inv in enumerate(self.involvements):
            if inv.facilitator_id not in fac_ids:
                issues.append(
                    Issue(
                        "involvements",
                        i,
                        "facilitator_id",
                        f"unknown facilitator {inv.facilitator_id!r}",
                    )
                )
        for i, h in enumerate(self.history):
            if h.facilitator_id not in fac_ids:
                issues.append(
                    Issue(
                        "history", i, "facilitator_id", f"unknown facilitator {h.facilitator_id!r}"
                    )
                )
        for i, r in enumerate(self.requests):
            pref = r.preferred_facilitator_id
            if pref and pref not in fac_ids:
                issues.append(
                    Issue(
                        "requests", i, "preferred_facilitator_id", f"unknown facilitator {pref!r}"
                    )
                )
            if r.follow_up_of and r.follow_up_of not in past_ids:
                issues.append(
                    Issue(
                        "requests",
                        i,
                        "follow_up_of",
                        f"request {r.follow_up_of!r} is not in history",
                    )
                )
            if r.follow_up_of and r.follow_up_of == r.request_id:
                issues.append(
                    Issue("requests", i, "follow_up_of", "a request cannot follow itself")
                )
        return issues

    # Indexes -------------------------------------------------------------

    @cached_property
    def facilitator_by_id(self) -> dict[str, Facilitator]:
        return {f.facilitator_id: f for f in self.facilitators}

    @cached_property
    def request_by_id(self) -> dict[str, Request]:
        return {r.request_id: r for r in self.requests}

    @cached_property
    def participants_by_request(self) -> dict[str, tuple[Participant, ...]]:
        grouped: dict[str, list[Participant]] = defaultdict(list)
        for p in self.participants:
            grouped[p.request_id].append(p)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def leave_by_facilitator(self) -> dict[str, tuple[Leave, ...]]:
        grouped: dict[str, list[Leave]] = defaultdict(list)
        for lv in self.leave:
            grouped[lv.facilitator_id].append(lv)
        return {k: tuple(v) for k, v in grouped.items()}

    @cached_property
    def history_by_id(self) -> dict[str, PastSession]:
        """Request id → its (lead) facilitator's history row."""
        found: dict[str, PastSession] = {}
        for h in self.history:
            if h.request_id not in found or (
                h.role is PastRole.LEAD and found[h.request_id].role is not PastRole.LEAD
            ):
                found[h.request_id] = h
        return found

    @cached_property
    def open_history(self) -> dict[str, int]:
        """Facilitator id → history rows not yet closed (their open JAGS on record)."""
        counts: dict[str, int] = defaultdict(int)
        for h in self.history:
            if h.closed_on is None:
                counts[h.facilitator_id] += 1
        return dict(counts)

    @cached_property
    def sector_of_org(self) -> dict[str, str]:
        """Organisation key → sector, from organisations.csv then facilitators."""
        sectors: dict[str, str] = {}
        for f in self.facilitators:
            if f.organisation and f.sector:
                sectors.setdefault(normalise_org(f.organisation), f.sector)
        for o in self.organisations:
            sectors[normalise_org(o.organisation)] = o.sector
        return sectors

    def network_orgs(self, request: Request) -> frozenset[str]:
        """Normalised organisations of the requester and every participant."""
        orgs = {normalise_org(request.requester_organisation)}
        orgs.update(
            normalise_org(p.organisation)
            for p in self.participants_by_request.get(request.request_id, ())
        )
        return frozenset(orgs)

    def network_emails(self, request: Request) -> frozenset[str]:
        """E-mails of the requester and every participant."""
        emails = {request.requester_email}
        emails.update(p.email for p in self.participants_by_request.get(request.request_id, ()))
        return frozenset(emails)


def _duplicates(table: str, column: str, values: list[str]) -> list[Issue]:
    seen: set[str] = set()
    issues = []
    for i, value in enumerate(values):
        if value in seen:
            issues.append(Issue(table, i, column, f"duplicate {column} {value!r}"))
        seen.add(value)
    return issues
