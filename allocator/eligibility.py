"""Hard rules 1–7, pins, soft-independence penalties and preference scores.

:func:`build_instance` turns a workspace, a policy and a batch date into an
:class:`Instance`: the requests of the batch (oldest first), the
facilitators, and for every request the facilitators it may go to, each
with its stage-3 penalty and stage-5 preference. One private function per
rule; :func:`pair_code` gives the hard-rule code for any pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from allocator.models import Mode, normalise_org
from allocator.workdays import WorkingCalendar

if TYPE_CHECKING:
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


@dataclass
class Instance:
    """A batch compiled for the solvers. Indices, not ids, for speed.

    ``edges[r]`` lists the facilitator indices request ``r`` may go to, with
    ``penalty[r][k]`` and ``preference[r][k]`` for ``edges[r][k]``.
    Requests are in age order (received, then id): index = age rank.
    """

    on: date
    policy: Policy
    requests: list[Request]
    facilitators: list[Facilitator]
    allocate_by: list[date]
    capacity: list[int]
    max_open: list[int]
    open_load: list[int]
    facilitator_code: list[Code | None]
    facilitator_detail: list[str]
    edges: list[list[int]]
    penalty: list[list[int]]
    preference: list[list[int]]
    pins: dict[int, Pin]
    window: tuple[date, date]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Requests left out of the batch: (request_id, why)."""
    workspace: Workspace | None = None
    network_orgs: list[frozenset[str]] = field(default_factory=list)
    network_emails: list[frozenset[str]] = field(default_factory=list)
    involved: list[frozenset[str]] = field(default_factory=list)
    declined: list[frozenset[str]] = field(default_factory=list)
    """Per request: ids of facilitators who declined it."""
    org_groups: list[int] = field(default_factory=list)
    """Facilitator index → organisation group (co-facilitators must differ)."""
    sector_groups: list[int] = field(default_factory=list)
    network_sectors: list[frozenset[str]] = field(default_factory=list)
    alongside: dict[str, set[str]] = field(default_factory=dict)
    edge_pos: list[dict[int, int]] = field(default_factory=list)
    """``edge_pos[r][f]`` is the position of ``f`` in ``edges[r]``."""
    code_if_complete: list[Code | None] = field(default_factory=list)
    """For facilitators with missing data: the rule that would still exclude them."""
    """Facilitator id → e-mails of people in their JAGS within the look-back period."""

    @property
    def n_requests(self) -> int:
        return len(self.requests)

    @property
    def n_facilitators(self) -> int:
        return len(self.facilitators)

    def penalty_of(self, r: int, f: int) -> int:
        """Stage-3 penalty of giving request ``r`` to facilitator ``f`` (0 if not an edge)."""
        k = self.edge_pos[r].get(f)
        return 0 if k is None else self.penalty[r][k]

    def preference_of(self, r: int, f: int) -> int:
        """Stage-5 preference of giving request ``r`` to facilitator ``f``."""
        k = self.edge_pos[r].get(f)
        return 0 if k is None else self.preference[r][k]


def build_instance(workspace: Workspace, policy: Policy, on: date,
                   calendar: WorkingCalendar | None = None,
                   unavailable: frozenset[str] = frozenset(),
                   state: DayState | None = None) -> Instance:
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
    window_days = list(cal.working_days(*window))

    already = {h.request_id for h in workspace.history} if state is None else set()
    batch: list[Request] = []
    skipped: list[tuple[str, str]] = []
    for req in workspace.requests:
        if req.request_id in already:
            skipped.append((req.request_id, "already allocated (in history)"))
        elif cal.local(req.received_at).date() > on:
            skipped.append((req.request_id, f"received after the batch date {on.isoformat()}"))
        else:
            batch.append(req)
    batch.sort(key=lambda r: (cal.local(r.received_at), r.request_id))

    facilitators = sorted(workspace.facilitators, key=lambda f: f.facilitator_id)
    index = {f.facilitator_id: i for i, f in enumerate(facilitators)}
    codes: list[Code | None] = []
    details: list[str] = []
    if_complete: list[Code | None] = []
    if state is None:
        on_record = workspace.open_history
        open_load = [max(f.open_jags, on_record.get(f.facilitator_id, 0)) for f in facilitators]
    else:
        open_load = [state.load_of(f.facilitator_id) for f in facilitators]
    for fac, load in zip(facilitators, open_load, strict=True):
        code, detail, other = _facilitator_rules(fac, workspace, policy, on, window_days,
                                                 unavailable, load)
        codes.append(code)
        details.append(detail)
        if_complete.append(other)
    max_open = [f.max_open or 0 for f in facilitators]
    capacity = [max(0, m - o) for m, o in zip(max_open, open_load, strict=True)]

    involved_by_case: dict[str, set[str]] = {}
    involved_by_family: dict[str, set[str]] = {}
    for inv in workspace.involvements:
        if inv.case_ref:
            involved_by_case.setdefault(inv.case_ref.casefold(), set()).add(inv.facilitator_id)
        if inv.family_ref:
            involved_by_family.setdefault(inv.family_ref.casefold(), set()).add(inv.facilitator_id)

    declined_by_request: dict[str, set[str]] = {}
    for rid, fid in (state.declined if state is not None else ()):
        declined_by_request.setdefault(rid, set()).add(fid)

    org_ids: dict[str, int] = {}
    sector_ids: dict[str, int] = {}
    org_groups = [org_ids.setdefault(f.org_key, len(org_ids)) for f in facilitators]
    sector_groups = [sector_ids.setdefault((f.sector or "").casefold(), len(sector_ids))
                     for f in facilitators]

    inst = Instance(
        on=on, policy=policy, requests=batch, facilitators=facilitators,
        allocate_by=[cal.add_working_days(cal.day_zero(r.received_at, policy.cutoff),
                                          policy.allocate_within_days) for r in batch],
        capacity=capacity, max_open=max_open, open_load=open_load,
        facilitator_code=codes, facilitator_detail=details,
        edges=[], penalty=[], preference=[], pins={}, window=window, skipped=skipped,
        workspace=workspace, org_groups=org_groups, sector_groups=sector_groups,
        code_if_complete=if_complete,
    )
    inst.alongside = _worked_alongside(workspace, policy, on)
    sector_of = workspace.sector_of_org
    weights, likes = policy.penalties, policy.preferences
    org_key = [f.org_key for f in facilitators]
    sector_key = [(f.sector or "").casefold() for f in facilitators]
    place_key = [normalise_org(f.locality or "") for f in facilitators]
    skills = [frozenset(normalise_org(s) for s in f.specialisms) for f in facilitators]
    seen_with = [inst.alongside.get(f.facilitator_id, set()) for f in facilitators]
    open_fac = [i for i, c in enumerate(codes) if c is None]
    for r, req in enumerate(batch):
        orgs = workspace.network_orgs(req)
        emails = workspace.network_emails(req)
        involved = set(involved_by_case.get(req.case_ref.casefold(), ()))
        if req.family_ref:
            involved |= involved_by_family.get(req.family_ref.casefold(), set())
        sectors = frozenset(sector_of[o].casefold() for o in orgs if o in sector_of)
        inst.network_orgs.append(orgs)
        inst.network_emails.append(emails)
        inst.involved.append(frozenset(involved))
        declined = frozenset(declined_by_request.get(req.request_id, ()))
        inst.declined.append(declined)
        inst.network_sectors.append(sectors)
        pin = _pin(req, inst, index, r)
        if pin is not None:
            inst.pins[r] = pin
        edges = [f for f in open_fac
                 if org_key[f] not in orgs and facilitators[f].email not in emails
                 and facilitators[f].facilitator_id not in involved
                 and facilitators[f].facilitator_id not in declined]
        if pin is not None and pin.refused is None:
            if policy.facilitators_per_request == 1:
                edges = [pin.facilitator]
            elif pin.facilitator not in edges:
                edges = sorted([*edges, pin.facilitator])
        place = normalise_org(req.locality or "")
        topic = normalise_org(req.topic or "")
        in_person = req.mode is Mode.IN_PERSON
        named = req.preferred_facilitator_id if not req.preference_rationale else None
        # Inline forms of penalty_terms() and _preference(), for speed; a test
        # checks they agree.
        inst.edges.append(edges)
        inst.penalty.append([
            (weights.same_sector if sector_key[f] and sector_key[f] in sectors else 0)
            + (weights.same_locality if place and place_key[f] == place else 0)
            + (weights.worked_alongside if seen_with[f] and not seen_with[f].isdisjoint(emails)
               else 0)
            for f in edges])
        inst.preference.append([
            (likes.specialism_match if topic and topic in skills[f] else 0)
            + (likes.locality_in_person if in_person and place and place_key[f] == place else 0)
            + (likes.named_facilitator
               if named is not None and named == facilitators[f].facilitator_id else 0)
            for f in edges])
        inst.edge_pos.append({f: k for k, f in enumerate(edges)})
    return inst


def pair_code(inst: Instance, r: int, f: int) -> Code | None:
    """The hard rule excluding facilitator ``f`` from request ``r``, or ``None``.

    Facilitator-wide rules come first (training, activity, leave, missing
    data, capacity), then the rules about this case (participant, prior
    involvement, declined earlier, shared organisation). A honoured pin lifts only
    ``shares_organisation``.
    """
    if inst.facilitator_code[f] is not None:
        return inst.facilitator_code[f]
    fac = inst.facilitators[f]
    if fac.email in inst.network_emails[r]:
        return Code.IS_PARTICIPANT
    if fac.facilitator_id in inst.involved[r]:
        return Code.PRIOR_INVOLVEMENT
    if inst.declined and fac.facilitator_id in inst.declined[r]:
        return Code.DECLINED
    pin = inst.pins.get(r)
    pinned_here = pin is not None and pin.facilitator == f and pin.refused is None
    if fac.org_key in inst.network_orgs[r] and not pinned_here:
        return Code.SHARES_ORGANISATION
    return None


# Facilitator-wide rules --------------------------------------------------

def _facilitator_rules(fac: Facilitator, workspace: Workspace, policy: Policy, on: date,
                       window_days: list[date], unavailable: frozenset[str], open_load: int
                       ) -> tuple[Code | None, str, Code | None]:
    """The first facilitator-wide rule that fails, with a plain detail, and the
    first that would still fail if a missing field were filled in."""
    failures = [result for rule in (_rule_missing_data, _rule_inactive, _rule_not_trained,
                                    _rule_on_leave, _rule_at_capacity)
                if (result := rule(fac, workspace, policy, on, window_days, unavailable,
                                   open_load))]
    if not failures:
        return None, "", None
    code, detail = failures[0]
    other = next((c for c, _ in failures if c is not Code.MISSING_DATA), None)
    return code, detail, other


def _rule_missing_data(fac: Facilitator, *_: object) -> tuple[Code, str] | None:
    missing = fac.missing_fields
    if missing:
        return Code.MISSING_DATA, f"record incomplete: {', '.join(missing)} missing"
    return None


def _rule_inactive(fac: Facilitator, *_: object) -> tuple[Code, str] | None:
    return (Code.INACTIVE, "not active in the facilitator network") if not fac.active else None


def _rule_not_trained(fac: Facilitator, _ws: Workspace, policy: Policy, on: date,
                      *_: object) -> tuple[Code, str] | None:
    if fac.trained_on is None:  # reported as missing data
        return None
    if fac.trained_on > on:
        return Code.NOT_TRAINED, f"training completes on {fac.trained_on.isoformat()}"
    expires = fac.training_expires
    if expires is None and policy.training_valid_months is not None:
        expires = _add_months(fac.trained_on, policy.training_valid_months)
    if expires is not None and expires < on:
        return Code.NOT_TRAINED, f"training expired on {expires.isoformat()}"
    return None


def _rule_on_leave(fac: Facilitator, workspace: Workspace, _policy: Policy, on: date,
                   window_days: list[date], unavailable: frozenset[str], *_: object
                   ) -> tuple[Code, str] | None:
    leave = workspace.leave_by_facilitator.get(fac.facilitator_id, ())
    for lv in leave:
        if lv.start <= on <= lv.end:
            return Code.ON_LEAVE, f"on leave until {lv.end.isoformat()}"
    if window_days and all(any(lv.start <= d <= lv.end for lv in leave) for d in window_days):
        return (Code.ON_LEAVE,
                f"on leave for the whole expected session window "
                f"{window_days[0].isoformat()} to {window_days[-1].isoformat()}")
    if fac.facilitator_id in unavailable:
        return Code.ON_LEAVE, "no free session slot in the expected window (calendar)"
    return None


def _rule_at_capacity(fac: Facilitator, _ws: Workspace, _policy: Policy, _on: date,
                      _days: list[date], _unavailable: frozenset[str], open_load: int
                      ) -> tuple[Code, str] | None:
    if fac.max_open is not None and open_load >= fac.max_open:
        return Code.AT_CAPACITY, f"already at {open_load} of {fac.max_open} open JAGS"
    return None


# Pins ----------------------------------------------------------------------

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
    return Pin(facilitator=f, kind=kind, rationale=rationale,
               overrides_organisation=code is Code.SHARES_ORGANISATION)


# Soft independence and preferences ---------------------------------------

def _worked_alongside(workspace: Workspace, policy: Policy, on: date) -> dict[str, set[str]]:
    """Facilitator id → e-mails of people in their JAGS within the look-back period."""
    since = _add_months(on, -policy.penalties.worked_alongside_months)
    seen: dict[str, set[str]] = {}
    for past in workspace.history:
        when = past.held_on or past.allocated_on
        if when is not None and since <= when <= on:
            seen.setdefault(past.facilitator_id, set()).update(past.attendees)
    return seen


def penalty_terms(inst: Instance, r: int, f: int) -> list[tuple[str, int]]:
    """Stage-3 concerns for a pair, each with its weight: same sector, same
    locality, worked alongside a participant."""
    fac, req = inst.facilitators[f], inst.requests[r]
    weights = inst.policy.penalties
    terms = []
    if fac.sector and fac.sector.casefold() in inst.network_sectors[r]:
        terms.append((f"same sector as the case network ({fac.sector})", weights.same_sector))
    if fac.locality and req.locality and _same(fac.locality, req.locality):
        terms.append(("same locality", weights.same_locality))
    if inst.alongside.get(fac.facilitator_id, set()) & inst.network_emails[r]:
        terms.append((f"worked alongside a participant in the last "
                      f"{weights.worked_alongside_months} months", weights.worked_alongside))
    return [(words, weight) for words, weight in terms if weight]


def preference_score(inst: Instance, r: int, f: int) -> int:
    """Stage-5 preference for a pair (the slow, readable form)."""
    return _preference(inst.facilitators[f], inst.requests[r], inst.policy)


def _preference(fac: Facilitator, req: Request, policy: Policy) -> int:
    """Stage-5 preference: specialism match, locality for in-person sessions."""
    weights = policy.preferences
    total = 0
    if req.topic and any(_same(req.topic, s) for s in fac.specialisms):
        total += weights.specialism_match
    if (req.mode is Mode.IN_PERSON and fac.locality and req.locality
            and _same(fac.locality, req.locality)):
        total += weights.locality_in_person
    if req.preferred_facilitator_id == fac.facilitator_id and not req.preference_rationale:
        total += weights.named_facilitator
    return total


def _same(a: str, b: str) -> bool:
    return normalise_org(a) == normalise_org(b)


def _add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    return date(year, month + 1, 1) - timedelta(days=1)  # pragma: no cover
