"""A batch compiled for the solvers: hard rules applied, pins decided, scores ready.

:func:`build_instance` turns a workspace, a policy and a batch date into an
:class:`Instance`: the requests of the batch (oldest first), the
facilitators, what every hard rule of :mod:`allocator.rules` says about
them, and the soft scores of :mod:`allocator.scores`. Eligible pairs are
never listed in full: they are every facilitator no facilitator-wide rule
excludes, less the few each request's own rules exclude, and are computed
with numpy when a solver or an explanation needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from allocator.rules import (
    Code,
    Day,
    Directory,
    Network,
    facilitator_failures,
    person_exclusions,
    shares_organisation,
)
from allocator.scores import Scores
from allocator.workdays import WorkingCalendar

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import date, datetime

    from numpy.typing import NDArray

    from allocator.models import Facilitator, Request, Workspace
    from allocator.policy import Policy
    from allocator.rules import Failure
    from allocator.state import DayState

__all__ = ["Code", "Instance", "Pin", "PinKind", "build_instance", "pair_code"]

_CHUNK_CELLS = 1 << 22
"""Request × facilitator cells handled at once when listing eligible pairs (4 MB)."""


class PinKind(StrEnum):
    """Where a pinned choice comes from."""

    FOLLOW_UP = "follow_up"
    NAMED = "named"


@dataclass(frozen=True)
class Pin:
    """A pinned facilitator for one request and whether it could be honoured."""

    facilitator: int
    kind: PinKind
    rationale: str
    refused: Code | None = None
    """The hard rule (other than shares_organisation) that stops the pin, if any."""
    overrides_organisation: bool = False
    """The pin is honoured although the facilitator shares an organisation."""

    @property
    def honoured(self) -> bool:
        return self.refused is None


@dataclass
class Instance:
    """A batch compiled for the solvers. Indices, not ids, for speed.

    Requests are in age order (received, then id): index = age rank.
    Facilitators are in id order.
    """

    on: date
    policy: Policy
    requests: list[Request]
    facilitators: list[Facilitator]
    allocate_by: list[date]
    capacity: list[int]
    """Places left: personal maximum less open load (never negative)."""
    max_open: list[int]
    open_load: list[int]
    failures: list[tuple[Failure, ...]]
    """Per facilitator: every facilitator-wide rule that fails, in report order."""
    people: list[dict[int, Code]]
    """Per request: facilitator → the first rule about people (participant, prior
    involvement, declined) excluding it."""
    network_groups: list[frozenset[int]]
    """Per request: organisation groups of the case network (rule 3 excludes their
    facilitators)."""
    lifted: dict[int, int]
    """Request → the facilitator whose shared organisation a honoured pin overrides."""
    pins: dict[int, Pin]
    window: tuple[date, date]
    scores: Scores
    network_orgs: list[frozenset[str]]
    network_emails: list[frozenset[str]]
    org_groups: list[int]
    """Facilitator index → organisation group (co-facilitators must differ)."""
    sector_groups: list[int]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Requests left out of the batch: (request_id, why)."""
    workspace: Workspace | None = None

    def __post_init__(self) -> None:
        self.facilitator_code: list[Code | None] = [
            fails[0][0] if fails else None for fails in self.failures
        ]
        """The first facilitator-wide rule that fails (``None``: available)."""
        self.facilitator_detail: list[str] = [
            fails[0][1] if fails else "" for fails in self.failures
        ]
        self.code_if_complete: list[Code | None] = [
            next((c for c, _ in fails if c is not Code.MISSING_DATA), None)
            for fails in self.failures
        ]
        """For facilitators with missing data: the rule that would still exclude them."""
        self.available = np.asarray([c is None for c in self.facilitator_code], dtype=np.bool_)
        """Facilitators no facilitator-wide rule excludes."""
        self.group = np.asarray(self.org_groups, dtype=np.int64)
        self.n_groups = max(self.org_groups, default=-1) + 1
        self._edges = _PerRequest(self, "edges")
        self._penalty = _PerRequest(self, "penalty")
        self._preference = _PerRequest(self, "preference")

    @property
    def n_requests(self) -> int:
        return len(self.requests)

    @property
    def n_facilitators(self) -> int:
        return len(self.facilitators)

    # Eligible pairs ---------------------------------------------------------------------------

    def solo_pin(self, r: int) -> int | None:
        """The facilitator a honoured pin gives request ``r`` alone (one per request)."""
        pin = self.pins.get(r)
        if pin is not None and pin.honoured and self.policy.facilitators_per_request == 1:
            return pin.facilitator
        return None

    def request_code(self, r: int, f: int) -> Code | None:
        """The first request-specific rule excluding ``f`` from ``r`` (people first, then
        a shared organisation), whatever the facilitator-wide rules say."""
        code = self.people[r].get(f)
        if code is not None:
            return code
        if self.org_groups[f] in self.network_groups[r] and self.lifted.get(r) != f:
            return Code.SHARES_ORGANISATION
        return None

    def shares_organisation(self, r: int) -> NDArray[np.bool_]:
        """Per facilitator: rule 3 excludes them from request ``r`` (a pin's override
        lifted)."""
        mask = np.isin(self.group, np.fromiter(self.network_groups[r], dtype=np.int64))
        lifted = self.lifted.get(r)
        if lifted is not None:
            mask[lifted] = False
        return mask

    def request_codes(self, r: int) -> dict[int, Code]:
        """Facilitator → request-specific code, for every facilitator excluded from ``r``
        by a rule about this case (whatever the facilitator-wide rules say)."""
        codes = {
            int(f): Code.SHARES_ORGANISATION for f in np.flatnonzero(self.shares_organisation(r))
        }
        codes.update(self.people[r])
        return dict(sorted(codes.items()))

    def eligible(self, r: int) -> NDArray[np.int64]:
        """Facilitators no hard rule excludes from request ``r``, in index order."""
        mask = self.available & ~self.shares_organisation(r)
        mask[list(self.people[r])] = False
        return np.flatnonzero(mask).astype(np.int64)

    def edges_of(self, r: int) -> NDArray[np.int64]:
        """The facilitators the solvers may give request ``r`` (a honoured pin alone)."""
        solo = self.solo_pin(r)
        return np.asarray([solo], dtype=np.int64) if solo is not None else self.eligible(r)

    def edge_arrays(
        self, requests: Sequence[int] | NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Every solver edge of ``requests`` (ascending) as (request, facilitator) arrays,
        by request then facilitator; memory stays bounded by working in chunks."""
        order = np.asarray(requests, dtype=np.int64)
        n_f = self.n_facilitators
        step = max(1, _CHUNK_CELLS // max(n_f, 1))
        found_r: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
        found_f: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
        for start in range(0, len(order), step):
            chunk = order[start : start + step]
            shared = np.zeros((len(chunk), max(self.n_groups, 1)), dtype=np.bool_)
            rows: list[int] = []
            cols: list[int] = []
            for i, r in enumerate(chunk.tolist()):
                groups = self.network_groups[r]
                rows.extend([i] * len(groups))
                cols.extend(groups)
            shared[rows, cols] = True
            mask = self.available[np.newaxis, :] & ~shared[:, self.group]
            for i, r in enumerate(chunk.tolist()):
                solo = self.solo_pin(r)
                if solo is not None:
                    mask[i] = False
                    mask[i, solo] = True
                    continue
                mask[i, list(self.people[r])] = False
                lifted = self.lifted.get(r)
                if lifted is not None:
                    mask[i, lifted] = True
            at_r, at_f = np.nonzero(mask)
            found_r.append(chunk[at_r])
            found_f.append(at_f.astype(np.int64))
        return np.concatenate(found_r), np.concatenate(found_f)

    @property
    def edges(self) -> _PerRequest:
        """``edges[r]``: the facilitators request ``r`` may go to (computed on use)."""
        return self._edges

    @property
    def penalty(self) -> _PerRequest:
        """``penalty[r][k]``: stage-3 penalty of ``edges[r][k]``."""
        return self._penalty

    @property
    def preference(self) -> _PerRequest:
        """``preference[r][k]``: stage-5 preference of ``edges[r][k]``."""
        return self._preference

    def penalty_of(self, r: int, f: int) -> int:
        """Stage-3 penalty of giving request ``r`` to facilitator ``f``."""
        return int(self.scores.penalty(np.asarray([r]), np.asarray([f]))[0])

    def preference_of(self, r: int, f: int) -> int:
        """Stage-5 preference of giving request ``r`` to facilitator ``f``."""
        return int(self.scores.preference(np.asarray([r]), np.asarray([f]))[0])

    def penalty_terms(self, r: int, f: int) -> list[tuple[str, int]]:
        """Stage-3 concerns of a pair in words, each with its weight."""
        return self.scores.penalty_terms(r, np.asarray([f], dtype=np.int64))[0]


class _PerRequest:
    """A read-only list per request, computed when first asked for (small batches)."""

    def __init__(self, inst: Instance, what: str) -> None:
        self._inst = inst
        self._what = what
        self._cache: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return self._inst.n_requests

    def __iter__(self) -> Iterator[list[int]]:
        return (self[r] for r in range(len(self)))

    def __getitem__(self, r: int) -> list[int]:
        if r not in self._cache:
            inst = self._inst
            edges = inst.edges_of(r)
            if self._what == "edges":
                self._cache[r] = edges.tolist()
            else:
                score = inst.scores.penalty if self._what == "penalty" else inst.scores.preference
                self._cache[r] = score(np.full(len(edges), r, dtype=np.int64), edges).tolist()
        return self._cache[r]


def build_instance(
    workspace: Workspace,
    policy: Policy,
    on: date,
    calendar: WorkingCalendar | None = None,
    unavailable: frozenset[str] = frozenset(),
    state: DayState | None = None,
) -> Instance:
    """Compile the batch of requests received up to ``on``.

    Parameters
    ----------
    workspace
        The validated workspace.
    policy
        Rules and weights.
    on
        The batch date (the day allocation is made).
    calendar
        Working days; default: England and Wales with the policy's closures.
    unavailable
        Facilitator ids with no free session slot in the expected window
        (calendar-aware allocation); they are excluded as ``on_leave``.
    state
        The day's open loads and declined pairs (the ledger's or a
        simulation's). Default ``None``: each facilitator's open load is the
        larger of ``open_jags`` and their open ``history`` rows, and
        requests already in ``history`` are skipped.
    """
    cal = calendar or WorkingCalendar.for_policy(policy)
    confirm = cal.add_working_days(on, policy.contact_days)
    window = cal.window(confirm, policy.window_first_day, policy.window_last_day)
    day = Day(workspace, policy, on, tuple(cal.working_days(*window)), unavailable)

    already = {h.request_id for h in workspace.history} if state is None else set()
    received: dict[str, datetime] = {}
    skipped: list[tuple[str, str]] = []
    for req in workspace.requests:
        local = cal.local(req.received_at)
        if req.request_id in already:
            skipped.append((req.request_id, "already allocated (in history)"))
        elif local.date() > on:
            skipped.append((req.request_id, f"received after the batch date {on.isoformat()}"))
        else:
            received[req.request_id] = local
    batch = sorted(
        (r for r in workspace.requests if r.request_id in received),
        key=lambda r: (received[r.request_id], r.request_id),
    )

    facilitators = sorted(workspace.facilitators, key=lambda f: f.facilitator_id)
    if state is None:
        on_record = workspace.open_history
        open_load = [max(f.open_jags, on_record.get(f.facilitator_id, 0)) for f in facilitators]
    else:
        open_load = [state.load_of(f.facilitator_id) for f in facilitators]
    failures = [
        facilitator_failures(fac, day, load)
        for fac, load in zip(facilitators, open_load, strict=True)
    ]
    max_open = [f.max_open or 0 for f in facilitators]
    directory = Directory(facilitators, workspace, state)
    sector_ids: dict[str, int] = {}
    networks = [
        Network(req, workspace.network_orgs(req), workspace.network_emails(req)) for req in batch
    ]
    inst = Instance(
        on=on,
        policy=policy,
        requests=batch,
        facilitators=facilitators,
        allocate_by=[
            cal.add_working_days(
                cal.day_zero(r.received_at, policy.cutoff), policy.allocate_within_days
            )
            for r in batch
        ],
        capacity=[max(0, m - o) for m, o in zip(max_open, open_load, strict=True)],
        max_open=max_open,
        open_load=open_load,
        failures=failures,
        people=[],
        network_groups=[],
        lifted={},
        pins={},
        window=window,
        scores=Scores.build(
            workspace,
            policy,
            on,
            facilitators,
            batch,
            [n.emails for n in networks],
            [n.orgs for n in networks],
        ),
        network_orgs=[n.orgs for n in networks],
        network_emails=[n.emails for n in networks],
        org_groups=directory.group_of,
        sector_groups=[
            sector_ids.setdefault((f.sector or "").casefold(), len(sector_ids))
            for f in facilitators
        ],
        skipped=skipped,
        workspace=workspace,
    )
    index = {f.facilitator_id: i for i, f in enumerate(facilitators)}
    for r, network in enumerate(networks):
        inst.people.append(person_exclusions(directory, network))
        inst.network_groups.append(shares_organisation(directory, network))
        pin = _pin(network.request, inst, index, r)
        if pin is not None:
            inst.pins[r] = pin
            if pin.overrides_organisation:
                inst.lifted[r] = pin.facilitator
    return inst


def pair_code(inst: Instance, r: int, f: int) -> Code | None:
    """The hard rule excluding facilitator ``f`` from request ``r``, or ``None``.

    Facilitator-wide rules come first (missing data, activity, training,
    leave, capacity), then the rules about this case (participant, prior
    involvement, declined earlier, shared organisation). A honoured pin
    lifts only ``shares_organisation``.
    """
    code = inst.facilitator_code[f]
    return code if code is not None else inst.request_code(r, f)


def _pin(req: Request, inst: Instance, index: dict[str, int], r: int) -> Pin | None:
    """A follow-up's earlier facilitator, or a named facilitator with a rationale."""
    ws = inst.workspace
    assert ws is not None
    if req.follow_up_of:
        fid = ws.history_by_id[req.follow_up_of].facilitator_id
        kind, rationale = PinKind.FOLLOW_UP, f"follow-up of {req.follow_up_of}"
    elif req.preferred_facilitator_id and req.preference_rationale:
        fid = req.preferred_facilitator_id
        kind, rationale = PinKind.NAMED, req.preference_rationale
    else:
        return None
    f = index[fid]
    code = pair_code(inst, r, f)
    if code is not None and code is not Code.SHARES_ORGANISATION:
        return Pin(facilitator=f, kind=kind, rationale=rationale, refused=code)
    return Pin(
        facilitator=f,
        kind=kind,
        rationale=rationale,
        overrides_organisation=code is Code.SHARES_ORGANISATION,
    )
