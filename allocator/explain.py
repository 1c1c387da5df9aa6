"""Plain-English reasons: why each request got its facilitator, what would unblock
a waiting request, and why each facilitator did not get a request.

Every reason rests on the codes of :mod:`allocator.rules`: a facilitator a
request's own rules exclude is reported with that rule, even when a
facilitator-wide rule (capacity, leave, …) would exclude them too, and "at
capacity" is said only of facilitators whose only obstacle is capacity.
The rows of ``explanations.csv`` come from :mod:`allocator.explain_rows`.

Nothing here repeats a request's free text, case or family reference.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from allocator.eligibility import Code, PinKind, pair_code
from allocator.explain_pools import Pools
from allocator.explain_rows import (
    CHOSEN,
    PINNED,
    STAGE_INDEPENDENCE,
    STAGE_MOST,
    STAGE_OLDEST,
    STAGE_PREFERENCES,
    STAGE_WORKLOAD,
    RowMaker,
)
from allocator.result import Explanation, loads
from allocator.rules import REQUEST_RULE_DETAIL

if TYPE_CHECKING:
    from collections.abc import Iterator

    from allocator.eligibility import Instance
    from allocator.explain_rows import RowBlock

__all__ = [
    "CHOSEN",
    "CODE_WORDS",
    "PINNED",
    "STAGE_INDEPENDENCE",
    "STAGE_MOST",
    "STAGE_OLDEST",
    "STAGE_PREFERENCES",
    "STAGE_WORDS",
    "STAGE_WORKLOAD",
    "Explainer",
]

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

STAGE_WORDS = {
    STAGE_MOST: "so that as many requests as possible are allocated",
    STAGE_OLDEST: "older requests come first",
    STAGE_INDEPENDENCE: "a more independent choice",
    STAGE_WORKLOAD: "to keep workloads even",
    STAGE_PREFERENCES: "a better match for the preferences",
}
"""The objective stage at which another choice won, in words (the code stays in the
``code`` column of ``explanations.csv``)."""


class Explainer:
    """Reasons for one solved batch.

    Parameters
    ----------
    inst
        The compiled batch.
    chosen
        Request index → facilitator indices (lead first), as the solver chose.
    """

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
        self.full = np.asarray(
            [n >= c for n, c in zip(self.load, inst.capacity, strict=True)], dtype=np.bool_
        )
        """Facilitators with no place left after this batch."""
        self.row_maker = RowMaker(self)
        self._unblock: dict[int, str] = {}
        self._pools: Pools | None = None

    # Labels ---------------------------------------------------------------------------------

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

    def concerns(self, r: int, fs: list[int]) -> list[str]:
        """For each facilitator: ``"F1: same locality, …"``, or ``""`` without concerns."""
        terms = self.inst.scores.penalty_terms(r, np.asarray(fs, dtype=np.int64))
        return [
            f"{self.fid(f)}: " + ", ".join(words for words, _ in found) if found else ""
            for f, found in zip(fs, terms, strict=True)
        ]

    def code_detail(self, r: int, f: int, code: Code) -> str:
        """The plain detail of a hard-rule code for one pair."""
        inst = self.inst
        for failed, detail in inst.failures[f]:
            if failed is code:
                return detail
        if code is Code.SHARES_ORGANISATION:
            return (
                f"works for {inst.facilitators[f].organisation}, an organisation in the "
                f"case network"
            )
        return REQUEST_RULE_DETAIL.get(code, CODE_WORDS[code])

    # Per request ----------------------------------------------------------------------------

    def reason(self, r: int) -> str:
        """One plain-English sentence or two for request ``r``."""
        inst = self.inst
        parts: list[str] = []
        pin = inst.pins.get(r)
        fs = self.chosen.get(r, ())
        if fs:
            if len(fs) == 2:
                parts.append(
                    f"Co-facilitated by {self.label(fs[0])} (lead) and {self.label(fs[1])}."
                )
            else:
                parts.append(f"Allocated to {self.label(fs[0])}.")
            if pin is not None and pin.honoured and pin.facilitator in fs:
                what = (
                    "follow-up keeps its facilitator"
                    if pin.kind is PinKind.FOLLOW_UP
                    else "named facilitator with a rationale"
                )
                override = (
                    " (overrides the shared-organisation rule; rationale recorded)"
                    if pin.overrides_organisation
                    else ""
                )
                parts.append(f"Pinned: {what}{override}.")
            flagged = [c for c in self.concerns(r, list(fs)) if c]
            if flagged:
                parts.append("Closest independent choice available: " + "; ".join(flagged) + ".")
            else:
                parts.append("Independent of the case network.")
            parts.append(
                "Workload after this batch: "
                + ", ".join(f"{self.fid(f)} {self.load_words(f)}" for f in fs)
                + "."
            )
        else:
            parts.append("Waiting: " + self.unblock(r))
        if pin is not None and pin.refused is not None:
            who = "Follow-up facilitator" if pin.kind is PinKind.FOLLOW_UP else "Named facilitator"
            parts.append(
                f"{who} {self.fid(pin.facilitator)} not honoured: "
                f"{self.code_detail(r, pin.facilitator, pin.refused)}."
            )
        limit = inst.policy.max_supervisees
        if limit is not None:
            size = len(inst.network_emails[r])
            if size > limit:
                parts.append(f"Note: {size} professionals invited, above the policy's {limit}.")
        if inst.on > inst.allocate_by[r]:
            parts.append(f"Past its allocate-by date {inst.allocate_by[r].isoformat()}.")
        return " ".join(parts)

    def unblock(self, r: int) -> str:
        """What would let a waiting request be allocated."""
        if r not in self._unblock:
            self._unblock[r] = self._find_unblock(r)
        return self._unblock[r]

    def _find_unblock(self, r: int) -> str:
        """Work proportional to the request's own exclusions (a few organisations and
        people), never to the number of facilitators."""
        inst = self.inst
        pools = self.pools
        outside = pools.outside(r)
        blocked = outside.count(pools.capacity_only)
        if (
            inst.policy.facilitators_per_request == 2
            and not blocked
            and outside.count(pools.available)
        ):
            return (
                "no two eligible facilitators from different organisations (with a lead) are free."
            )
        counts = pools.exclusion_counts(r)
        if blocked:
            f = outside.first(pools.frees, 1)[0]
            filled = outside.count(pools.available_full)
            now = f" ({filled} filled by this batch)" if filled else ""
            text = (
                f"all {blocked} facilitators it could go to are at capacity{now}; "
                f"{self.fid(f)} frees a place when {self._closes(f)} closes."
            )
            if counts:
                text += (
                    f" The other {sum(n for _, n in counts)} are excluded: "
                    + ", ".join(f"{n} {CODE_WORDS[c]}" for c, n in counts)
                    + "."
                )
        else:
            common = ", ".join(f"{n} {CODE_WORDS[c]}" for c, n in counts)
            text = (
                f"no facilitator is eligible ({common}). A named facilitator with a "
                f"rationale can override the shared-organisation rule."
            )
        incomplete = outside.first(pools.incomplete, 3)
        if incomplete:
            names = ", ".join(self.fid(f) for f in incomplete)
            text += f" Completing the record of {names} would add a candidate."
        return text

    def waiting_code(self, r: int) -> str:
        """The code that keeps waiting request ``r`` waiting, matching :meth:`unblock`:
        the stage at which places it could have had went to other requests of this
        batch, else ``at_capacity``, else (no pair for co-facilitation) the first
        stage, else the rule that excludes the most facilitators."""
        summary = self.full_summary(r)
        if summary is not None:
            return summary[0]
        pools = self.pools
        outside = pools.outside(r)
        if outside.count(pools.capacity_only):
            return str(Code.AT_CAPACITY)
        if outside.count(pools.available):
            return STAGE_MOST
        counts = pools.exclusion_counts(r)
        return str(counts[0][0]) if counts else str(Code.MISSING_DATA)

    def full_summary(self, r: int) -> tuple[str, str] | None:
        """The stage and a sentence for the facilitators eligible for request ``r`` but
        full after this batch (not counting its own), or ``None`` when there are none."""
        pools = self.pools
        outside = pools.outside(r)
        mine = [f for f in self.chosen.get(r, ()) if self.full[f]]
        full = outside.count(pools.available_full) - len(mine)
        if not full:
            return None
        older = pools.older_takers(r) - sum(1 for f in mine if pools.first_taker[f] < r)
        stage = STAGE_OLDEST if older else STAGE_MOST
        eligible = outside.count(pools.available)
        whom = (
            f"all {full} eligible facilitators are"
            if full == eligible
            else f"{full} other eligible facilitators are"
        )
        return stage, (
            f"{whom} full after this batch, {older} of them with places given to "
            f"older requests (each facilitator's places are in their status)"
        )

    def group_name(self, g: int) -> str:
        """The organisation of group ``g`` as its first facilitator writes it."""
        return self.inst.facilitators[self.group_members(g)[0]].organisation or ""

    def group_members(self, g: int) -> list[int]:
        """Facilitators of organisation group ``g``, by id."""
        return self.pools.members[g]

    @property
    def pools(self) -> Pools:
        if self._pools is None:
            self._pools = Pools(self)
        return self._pools

    def _closes(self, f: int) -> str:
        open_rows = self.open_history.get(self.fid(f))
        if open_rows:
            return open_rows[0]
        if self.given.get(f):
            return self.rid(self.given[f][0])
        return f"one of their {self.inst.open_load[f]} open JAGS"

    # Per pair -------------------------------------------------------------------------------

    def pair(self, r: int, f: int) -> Explanation:
        """The hard rule that excluded ``f`` from ``r`` (facilitator-wide rules first), or
        the stage at which another choice won."""
        code = pair_code(self.inst, r, f)
        if code is not None:
            return Explanation(
                self.rid(r), self.fid(f), False, str(code), self.code_detail(r, f, code)
            )
        return self.row_maker.eligible_rows(r, np.asarray([f], dtype=np.int64))[0]

    def rows(self) -> Iterator[Explanation]:
        """Every request × facilitator pair, requests by age, facilitators by id (the
        ``--explain full`` product)."""
        for block in self.row_maker.blocks(full=True):
            yield from self.row_maker.expand(block)

    def blocks(self, *, full: bool = False) -> Iterator[RowBlock]:
        """The rows of ``explanations.csv`` one request at a time (see
        :meth:`RowMaker.blocks`)."""
        return self.row_maker.blocks(full=full)

    def why(self, r: int) -> list[str]:
        """Why and why-not for one request, grouped for reading: every facilitator is
        listed under the rule about this case that excludes them, else under the
        facilitator-wide rule, else with the stage at which another choice won."""
        inst = self.inst
        lines = [
            f"{self.rid(r)}: {self.reason(r)}",
            f"Allocate by {inst.allocate_by[r].isoformat()}.",
        ]
        excluded: dict[str, list[str]] = {}
        own = inst.request_codes(r)
        for f in range(inst.n_facilitators):
            code = own.get(f, inst.facilitator_code[f])
            if code is None:
                continue
            fac = inst.facilitators[f]
            group = (
                f"{fac.sector or 'Unknown-sector'} facilitators {CODE_WORDS[code]}"
                if code is Code.SHARES_ORGANISATION
                else CODE_WORDS[code].capitalize()
            )
            excluded.setdefault(group, []).append(fac.facilitator_id)
        lost = [
            f"{ex.facilitator_id} {ex.detail}: {STAGE_WORDS.get(ex.code, ex.code)}"
            for ex in self.row_maker.eligible_rows(r, inst.eligible(r))
            if ex.code not in (CHOSEN, PINNED)
        ]
        for group, ids in sorted(excluded.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            shown = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
            lines.append(f"- {group}: {shown}")
        lines.extend(f"- {line}" for line in lost)
        return lines

    def facilitator_status(self) -> list[tuple[str, str, str, int, int | None]]:
        """Rows of ``facilitator_status.csv``: every facilitator once, with the
        facilitator-wide rules that exclude them (``available`` when none)."""
        inst = self.inst
        rows = []
        for f, fac in enumerate(inst.facilitators):
            fails = inst.failures[f]
            if fails:
                code, detail = str(fails[0][0]), "; ".join(d for _, d in fails)
            else:
                given = self.given.get(f)
                code, detail = (
                    "available",
                    f"{self.load_words(f)} after this batch"
                    + (
                        f"; places went to {', '.join(self.rid(t) for t in given)}" if given else ""
                    ),
                )
            rows.append((fac.facilitator_id, code, detail, inst.open_load[f], fac.max_open))
        return rows
