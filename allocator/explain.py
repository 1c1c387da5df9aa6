"""Plain-English reasons: why each request got its facilitator, why every other
facilitator did not, and what would unblock a waiting request.

Nothing here repeats a request's free text, case or family reference.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from allocator.eligibility import Code, PinKind, pair_code, penalty_terms
from allocator.result import Explanation, loads

if TYPE_CHECKING:
    from collections.abc import Iterator

    from allocator.eligibility import Instance

CODE_WORDS = {
    Code.NOT_TRAINED: "not trained (or training expired)",
    Code.INACTIVE: "not active",
    Code.ON_LEAVE: "on leave",
    Code.SHARES_ORGANISATION: "share an organisation with the case network",
    Code.PRIOR_INVOLVEMENT: "have prior involvement with the case or family",
    Code.IS_PARTICIPANT: "are the requester or a participant",
    Code.AT_CAPACITY: "are at capacity",
    Code.MISSING_DATA: "have incomplete records",
    Code.DECLINED: "declined this request earlier",
}

CHOSEN = "chosen"
PINNED = "pinned"
STAGE_MOST = "stage_1_most_allocated"
STAGE_OLDEST = "stage_2_oldest_first"
STAGE_INDEPENDENCE = "stage_3_independence"
STAGE_WORKLOAD = "stage_4_workload"
STAGE_PREFERENCES = "stage_5_preferences"


class Explainer:
    """Reasons for one solved batch."""

    def __init__(self, inst: Instance, chosen: dict[int, tuple[int, ...]]) -> None:
        self.inst = inst
        self.chosen = chosen
        self.load = loads(inst, chosen)
        self.given: dict[int, list[int]] = {}
        for r, fs in sorted(chosen.items()):
            for f in fs:
                self.given.setdefault(f, []).append(r)
        self.open_history: dict[str, list[str]] = {}
        history = inst.workspace.history if inst.workspace else ()
        for h in sorted(history, key=lambda h: (h.allocated_on or date.min, h.request_id)):
            if h.closed_on is None:
                self.open_history.setdefault(h.facilitator_id, []).append(h.request_id)
        self._unblock: dict[int, str] = {}

    # Labels ---------------------------------------------------------------

    def fid(self, f: int) -> str:
        return self.inst.facilitators[f].facilitator_id

    def rid(self, r: int) -> str:
        return self.inst.requests[r].request_id

    def label(self, f: int) -> str:
        fac = self.inst.facilitators[f]
        org = f", {fac.organisation}" if fac.organisation else ""
        return f"{fac.facilitator_id} ({fac.name}{org})"

    def load_words(self, f: int) -> str:
        inst = self.inst
        return f"{inst.open_load[f] + self.load[f]} of {inst.max_open[f]} open JAGS"

    def full(self, f: int) -> bool:
        return self.load[f] >= self.inst.capacity[f]

    # Per request ------------------------------------------------------------

    def reason(self, r: int) -> str:
        """One plain-English sentence or two for request ``r``."""
        inst = self.inst
        parts: list[str] = []
        pin = inst.pins.get(r)
        fs = self.chosen.get(r, ())
        if fs:
            if len(fs) == 2:
                parts.append(f"Co-facilitated by {self.label(fs[0])} (lead) and "
                             f"{self.label(fs[1])}.")
            else:
                parts.append(f"Allocated to {self.label(fs[0])}.")
            if pin is not None and pin.refused is None and pin.facilitator in fs:
                what = "follow-up keeps its facilitator" if pin.kind is PinKind.FOLLOW_UP \
                    else "named facilitator with a rationale"
                override = (" (overrides the shared-organisation rule; rationale recorded)"
                            if pin.overrides_organisation else "")
                parts.append(f"Pinned: {what}{override}.")
            concerns = [self._concerns(r, f) for f in fs]
            flagged = [c for c in concerns if c]
            if flagged:
                parts.append("Closest independent choice available: " + "; ".join(flagged) + ".")
            else:
                parts.append("Independent of the case network.")
            parts.append("Workload after this batch: "
                         + ", ".join(f"{self.fid(f)} {self.load_words(f)}" for f in fs) + ".")
        else:
            parts.append("Waiting: " + self.unblock(r))
        if pin is not None and pin.refused is not None:
            who = "Follow-up facilitator" if pin.kind is PinKind.FOLLOW_UP else "Named facilitator"
            parts.append(f"{who} {self.fid(pin.facilitator)} not honoured: "
                         f"{self._code_detail(r, pin.facilitator, pin.refused)}.")
        limit = inst.policy.max_supervisees
        if limit is not None:
            size = len(inst.network_emails[r])
            if size > limit:
                parts.append(f"Note: {size} professionals invited, above the policy's {limit}.")
        if inst.on > inst.allocate_by[r]:
            parts.append(f"Past its allocate-by date {inst.allocate_by[r].isoformat()}.")
        return " ".join(parts)

    def _concerns(self, r: int, f: int) -> str:
        terms = penalty_terms(self.inst, r, f)
        return f"{self.fid(f)}: " + ", ".join(w for w, _ in terms) if terms else ""

    def unblock(self, r: int) -> str:
        """What would let a waiting request be allocated."""
        if r not in self._unblock:
            self._unblock[r] = self._find_unblock(r)
        return self._unblock[r]

    def _find_unblock(self, r: int) -> str:
        inst = self.inst
        codes = Counter[Code]()
        blocked_by_capacity: list[int] = []
        incomplete: list[int] = []
        for f in range(inst.n_facilitators):
            code = pair_code(inst, r, f)
            if (code is None and self.full(f)) or code is Code.AT_CAPACITY:
                blocked_by_capacity.append(f)
            elif (code is Code.MISSING_DATA and inst.code_if_complete[f] is None
                  and self._case_code(r, f) is None):
                incomplete.append(f)
            if code is not None:
                codes[code] += 1
        if inst.policy.facilitators_per_request == 2 and not blocked_by_capacity \
                and any(pair_code(inst, r, f) is None for f in range(inst.n_facilitators)):
            return ("no two eligible facilitators from different organisations (with a lead) "
                    "are free.")
        if blocked_by_capacity:
            f = min(blocked_by_capacity, key=self._frees_key)
            text = (f"all {len(blocked_by_capacity)} eligible facilitators at capacity; "
                    f"{self.fid(f)} frees a place when {self._closes(f)} closes.")
        else:
            common = ", ".join(f"{n} {CODE_WORDS[c]}" for c, n in codes.most_common())
            text = (f"no facilitator is eligible ({common}). A named facilitator with a "
                    f"rationale can override the shared-organisation rule.")
        if incomplete:
            names = ", ".join(self.fid(f) for f in incomplete[:3])
            text += f" Completing the record of {names} would add a candidate."
        return text

    def _frees_key(self, f: int) -> tuple[int, str]:
        """Facilitators with a known open JAGS first, then by id."""
        return (0 if self.open_history.get(self.fid(f)) else 1, self.fid(f))

    def _closes(self, f: int) -> str:
        open_rows = self.open_history.get(self.fid(f))
        if open_rows:
            return open_rows[0]
        if self.given.get(f):
            return self.rid(self.given[f][0])
        return f"one of their {self.inst.open_load[f]} open JAGS"

    def _case_code(self, r: int, f: int) -> Code | None:
        """The case-specific rule failing for ``(r, f)``, ignoring facilitator-wide ones."""
        inst = self.inst
        fac = inst.facilitators[f]
        if fac.email in inst.network_emails[r]:
            return Code.IS_PARTICIPANT
        if fac.facilitator_id in inst.involved[r]:
            return Code.PRIOR_INVOLVEMENT
        if inst.declined and fac.facilitator_id in inst.declined[r]:
            return Code.DECLINED
        if fac.org_key in inst.network_orgs[r]:
            return Code.SHARES_ORGANISATION
        return None

    def _code_detail(self, r: int, f: int, code: Code) -> str:
        inst = self.inst
        if inst.facilitator_code[f] is code:
            return inst.facilitator_detail[f]
        return {
            Code.IS_PARTICIPANT: "is the requester or a participant in this case",
            Code.PRIOR_INVOLVEMENT: "has prior involvement with the case or family",
            Code.DECLINED: "declined this request earlier",
            Code.SHARES_ORGANISATION: (f"works for {inst.facilitators[f].organisation}, "
                                       f"an organisation in the case network"),
        }.get(code, CODE_WORDS[code])

    # Per pair ---------------------------------------------------------------

    def pair(self, r: int, f: int) -> Explanation:
        """The hard rule that excluded ``f`` from ``r``, or the stage another choice won."""
        rid, fid = self.rid(r), self.fid(f)
        code = pair_code(self.inst, r, f)
        if code is not None:
            return Explanation(rid, fid, False, str(code), self._code_detail(r, f, code))
        fs = self.chosen.get(r, ())
        pin = self.inst.pins.get(r)
        if f in fs:
            pinned = pin is not None and pin.refused is None and pin.facilitator == f
            role = " as lead" if len(fs) == 2 and fs[0] == f else " as co-facilitator" \
                if len(fs) == 2 else ""
            return Explanation(rid, fid, True, PINNED if pinned else CHOSEN,
                               f"allocated{role}; {self.load_words(f)} after this batch")
        stage, detail = self._lost(r, f, fs)
        return Explanation(rid, fid, True, stage, detail)

    def _lost(self, r: int, f: int, fs: tuple[int, ...]) -> tuple[str, str]:
        inst = self.inst
        if self.full(f):
            takers = self.given.get(f, [])
            older = [t for t in takers if t < r]
            to = ", ".join(self.rid(t) for t in takers) or "earlier requests"
            stage = STAGE_OLDEST if older else STAGE_MOST
            return stage, (f"eligible but already at {self.load_words(f)} "
                           f"(places went to {to})")
        if not fs:
            return STAGE_MOST, ("eligible, but no pair of facilitators from two organisations "
                                "with a lead could be formed")
        g = fs[0] if len(fs) == 1 else max(fs, key=lambda x: inst.penalty_of(r, x))
        winner = ", ".join(self.fid(x) for x in fs)
        pin = inst.pins.get(r)
        if pin is not None and pin.refused is None:
            return STAGE_MOST, f"eligible; the request is pinned to {self.fid(pin.facilitator)}"
        if inst.penalty_of(r, f) > inst.penalty_of(r, g):
            return STAGE_INDEPENDENCE, (f"eligible; {winner} is more independent "
                                        f"({self._concerns(r, f)})")
        mine = (inst.open_load[f] + self.load[f] + 1) / max(inst.max_open[f], 1)
        theirs = (inst.open_load[g] + self.load[g]) / max(inst.max_open[g], 1)
        if mine > theirs:
            return STAGE_WORKLOAD, (f"eligible; taking it would put {self.fid(f)} at "
                                    f"{inst.open_load[f] + self.load[f] + 1} of "
                                    f"{inst.max_open[f]}, busier than {winner}")
        if inst.preference_of(r, f) < inst.preference_of(r, g):
            return STAGE_PREFERENCES, f"eligible; {winner} matches the preferences better"
        return STAGE_WORKLOAD, (f"eligible and as suitable; balancing workload across the "
                                f"whole batch gave it to {winner}")

    def rows(self) -> Iterator[Explanation]:
        """Every request × facilitator pair, requests by age, facilitators by id."""
        inst = self.inst
        excluded_by = [(Explanation("", self.fid(f), False, str(code), inst.facilitator_detail[f])
                        if code is not None else None)
                       for f, code in enumerate(inst.facilitator_code)]
        for r in range(inst.n_requests):
            rid = self.rid(r)
            for f in range(inst.n_facilitators):
                row = excluded_by[f]
                yield row._replace(request_id=rid) if row is not None else self.pair(r, f)

    def why(self, r: int) -> list[str]:
        """Why and why-not for one request, grouped for reading."""
        inst = self.inst
        lines = [f"{self.rid(r)}: {self.reason(r)}",
                 f"Allocate by {inst.allocate_by[r].isoformat()}."]
        excluded: dict[str, list[str]] = {}
        lost: list[str] = []
        for f in range(inst.n_facilitators):
            ex = self.pair(r, f)
            if not ex.eligible:
                fac = inst.facilitators[f]
                group = (f"{fac.sector or 'Unknown-sector'} facilitators "
                         f"{CODE_WORDS[Code(ex.code)]}"
                         if ex.code == Code.SHARES_ORGANISATION else
                         f"{CODE_WORDS[Code(ex.code)].capitalize()}")
                excluded.setdefault(group, []).append(ex.facilitator_id)
            elif ex.code not in (CHOSEN, PINNED):
                lost.append(f"{ex.facilitator_id} {ex.detail} [{ex.code}]")
        for group, ids in sorted(excluded.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
            lines.append(f"- {group}: {shown}")
        lines.extend(f"- {line}" for line in lost)
        return lines
