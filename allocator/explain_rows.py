"""The rows of ``explanations.csv``, one request at a time, in bulk.

Two products:

* **default** — what explains each request, sized by what is particular to
  it: the rules about its own case (a participant, a prior involvement, a
  decline: one row per facilitator; a shared organisation: one row per
  organisation of the case network, naming its facilitators), a refused
  pin, and the eligible facilitators with the stage at which another choice
  won: one row each, except those full after the batch — whose places went
  to other requests, the same for every request — which one row counts
  (each facilitator's places are in ``facilitator_status.csv``, with every
  facilitator-wide reason, once each).
* **full** — every request × facilitator pair, the facilitator-wide code
  first (today's product, for those who want every pair).

Rows said of many requests alike (a facilitator-wide exclusion, a full
facilitator, a shared organisation) are *shared*: made once and referred to
by a key, so a large batch never builds millions of strings.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from allocator.eligibility import Code, PinKind
from allocator.result import Explanation

if TYPE_CHECKING:
    from collections.abc import Iterator

    from numpy.typing import NDArray

    from allocator.explain import Explainer

CHOSEN = "chosen"
PINNED = "pinned"
STAGE_MOST = "stage_1_most_allocated"
STAGE_OLDEST = "stage_2_oldest_first"
STAGE_INDEPENDENCE = "stage_3_independence"
STAGE_WORKLOAD = "stage_4_workload"
STAGE_PREFERENCES = "stage_5_preferences"

KINDS = 5
"""Shared rows per facilitator: key = facilitator × KINDS + kind."""
FULL_NEWER, FULL_OLDER, EXCLUDED, NO_PAIR, SHARES = range(KINDS)
NO_ROW = -2
NO_PAIR_DETAIL = (
    "eligible, but no pair of facilitators from two organisations with a lead could be formed"
)


class RowBlock(NamedTuple):
    """The rows of one request, in order.

    ``shared[k]`` is the key of row ``k`` in :attr:`RowMaker.shared_rows`, or
    -1 for an own row; ``own`` holds the own rows in order.
    """

    request_id: str
    shared: NDArray[np.int64]
    own: list[Explanation]


class RowMaker:
    """Explanation rows for one solved batch (see the module docstring)."""

    def __init__(self, ex: Explainer) -> None:
        self.ex = ex
        inst = ex.inst
        n_f = inst.n_facilitators
        self.first_taker = np.full(n_f, inst.n_requests, dtype=np.int64)
        for f, taken in ex.given.items():
            self.first_taker[f] = taken[0]
        self.busier_now = [
            (inst.open_load[f] + ex.load[f]) / max(inst.max_open[f], 1) for f in range(n_f)
        ]
        self.busier_next = np.asarray(
            [(inst.open_load[f] + ex.load[f] + 1) / max(inst.max_open[f], 1) for f in range(n_f)]
        )
        self._organisation_rows: dict[int, Explanation] = {}

    @cached_property
    def shared_rows(self) -> list[Explanation | None]:
        """The shared rows (request id left empty), indexed by key; ``None`` where a
        facilitator never has that row."""
        ex, inst = self.ex, self.ex.inst
        table: list[Explanation | None] = []
        for f in range(inst.n_facilitators):
            fid = ex.fid(f)
            if ex.full[f] and inst.available[f]:
                detail = (
                    f"eligible but already at {ex.load_words(f)} (places went to {self.takers(f)})"
                )
                table += [
                    Explanation("", fid, True, STAGE_MOST, detail),
                    Explanation("", fid, True, STAGE_OLDEST, detail),
                ]
            else:
                table += [None, None]
            code = inst.facilitator_code[f]
            table.append(
                Explanation("", fid, False, str(code), inst.facilitator_detail[f])
                if code is not None
                else None
            )
            table.append(
                Explanation("", fid, True, STAGE_MOST, NO_PAIR_DETAIL)
                if inst.available[f]
                else None
            )
            table.append(
                Explanation(
                    "",
                    fid,
                    False,
                    str(Code.SHARES_ORGANISATION),
                    ex.code_detail(0, f, Code.SHARES_ORGANISATION),
                )
                if inst.facilitators[f].organisation
                else None
            )
        return table

    def takers(self, f: int) -> str:
        """The requests of this batch given to ``f``, or "earlier requests"."""
        ex = self.ex
        return ", ".join(ex.rid(t) for t in ex.given.get(f, [])) or "earlier requests"

    def blocks(self, *, full: bool = False) -> Iterator[RowBlock]:
        """One :class:`RowBlock` per request, in age order.

        Parameters
        ----------
        full
            Every request × facilitator pair (default ``False``: the default
            product, see the module docstring).
        """
        block = self.full_block if full else self.block
        for r in range(self.ex.inst.n_requests):
            yield block(r)

    def expand(self, block: RowBlock) -> Iterator[Explanation]:
        """The rows of a block as :class:`Explanation` tuples."""
        own = iter(block.own)
        for key in block.shared.tolist():
            yield next(own) if key < 0 else self._shared(key, block.request_id)

    def _shared(self, key: int, request_id: str) -> Explanation:
        row = self.shared_rows[key]
        assert row is not None
        return row._replace(request_id=request_id)

    # The default product --------------------------------------------------------------------

    def block(self, r: int) -> RowBlock:
        """The default rows of request ``r``: work and rows in proportion to what is
        particular to it (see the module docstring)."""
        ex, inst = self.ex, self.ex.inst
        rid = ex.rid(r)
        head: list[Explanation] = []
        summary = ex.full_summary(r)
        if summary is not None:
            head.append(Explanation(rid, "", True, *summary))
        people, lifted = inst.people[r], inst.lifted.get(r)
        for g in sorted(inst.network_groups[r], key=ex.group_name):
            if lifted is None and not any(inst.org_groups[f] == g for f in people):
                head.append(self.organisation_row(g)._replace(request_id=rid))
                continue
            members = [f for f in ex.group_members(g) if f not in people and f != lifted]
            if members:
                head.append(self._organisation_row(rid, g, members))
        own: dict[int, Explanation] = {}
        for f, code in people.items():
            own[f] = Explanation(rid, ex.fid(f), False, str(code), ex.code_detail(r, f, code))
        pin = inst.pins.get(r)
        if (
            pin is not None
            and pin.refused is not None
            and inst.request_code(r, pin.facilitator) is None
        ):  # else a row says why
            f = pin.facilitator
            who = "follow-up" if pin.kind is PinKind.FOLLOW_UP else "named"
            own[f] = Explanation(
                rid,
                ex.fid(f),
                False,
                str(pin.refused),
                f"{who} facilitator, not honoured: {ex.code_detail(r, f, pin.refused)}",
            )
        outside = ex.pools.outside(r)
        chosen = ex.chosen.get(r, ())
        named = sorted({*chosen, *(f for f in ex.pools.not_full if not outside.excluded(f))})
        for f, row in zip(
            named, self.eligible_rows(r, np.asarray(named, dtype=np.int64)), strict=True
        ):
            own[f] = row
        return RowBlock(
            rid,
            np.full(len(head) + len(own), -1, dtype=np.int64),
            [*head, *(own[f] for f in sorted(own))],
        )

    def organisation_row(self, g: int) -> Explanation:
        """The row of organisation group ``g`` in a case network (request id left empty),
        naming all its facilitators; made once per organisation."""
        if g not in self._organisation_rows:
            self._organisation_rows[g] = self._organisation_row("", g, self.ex.group_members(g))
        return self._organisation_rows[g]

    def _organisation_row(self, rid: str, g: int, members: list[int]) -> Explanation:
        ex = self.ex
        return Explanation(
            rid,
            "",
            False,
            str(Code.SHARES_ORGANISATION),
            f"{len(members)} facilitator(s) work for {ex.group_name(g)}, an "
            f"organisation in the case network: " + " ".join(ex.fid(f) for f in members),
        )

    # The full product -----------------------------------------------------------------------

    def full_block(self, r: int) -> RowBlock:
        """Every facilitator for request ``r``, facilitator-wide codes first."""
        ex, inst = self.ex, self.ex.inst
        rid = ex.rid(r)
        facs = np.arange(inst.n_facilitators, dtype=np.int64)
        shares = inst.shares_organisation(r)
        keys = np.where(shares, facs * KINDS + SHARES, NO_ROW)
        keys[~inst.available] = facs[~inst.available] * KINDS + EXCLUDED
        eligible = inst.available & ~shares
        eligible[list(inst.people[r])] = False
        eligible_keys, own = self._eligible(r, facs[eligible])
        keys[eligible] = eligible_keys
        for f, code in inst.people[r].items():
            if inst.available[f]:
                keys[f] = -1
                own[f] = Explanation(rid, ex.fid(f), False, str(code), ex.code_detail(r, f, code))
        return RowBlock(rid, keys, [own[f] for f in np.flatnonzero(keys == -1).tolist()])

    # Eligible facilitators ------------------------------------------------------------------

    def _eligible(
        self, r: int, fs: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], dict[int, Explanation]]:
        """Shared keys (or -1) for eligible facilitators ``fs`` of request ``r``, and the
        own rows by facilitator."""
        ex = self.ex
        chosen = ex.chosen.get(r, ())
        full = ex.full[fs]
        kinds = np.where(self.first_taker[fs] < r, FULL_OLDER, FULL_NEWER)
        if not chosen:
            return fs * KINDS + np.where(full, kinds, NO_PAIR), {}
        keys = np.where(full, fs * KINDS + kinds, -1)
        keys[np.isin(fs, chosen)] = -1
        mine = fs[keys < 0]
        return keys, dict(zip(mine.tolist(), self.eligible_rows(r, mine), strict=True))

    def eligible_rows(self, r: int, fs: NDArray[np.int64]) -> list[Explanation]:
        """The row of each eligible facilitator in ``fs`` for request ``r``: chosen or
        pinned, or the stage at which another choice won, and why."""
        ex, inst = self.ex, self.ex.inst
        rid = ex.rid(r)
        chosen = ex.chosen.get(r, ())
        if not chosen:
            keys, _ = self._eligible(r, fs)
            return [self._shared(key, rid) for key in keys.tolist()]
        fids = [ex.fid(f) for f in fs.tolist()]
        pin = inst.pins.get(r)
        pinned_to = pin.facilitator if pin is not None and pin.honoured else None
        at = np.full(len(fs), r, dtype=np.int64)
        g = chosen[0] if len(chosen) == 1 else max(chosen, key=lambda x: inst.penalty_of(r, x))
        winner = ", ".join(ex.fid(x) for x in chosen)
        worse = (inst.scores.penalty(at, fs) > inst.penalty_of(r, g)).tolist()
        busier = (self.busier_next[fs] > self.busier_now[g]).tolist()
        weaker = (inst.scores.preference(at, fs) < inst.preference_of(r, g)).tolist()
        full = ex.full[fs].tolist()
        older = (self.first_taker[fs] < r).tolist()
        concern = iter(ex.concerns(r, [f for f, w in zip(fs.tolist(), worse, strict=True) if w]))
        rows = []
        for i, f in enumerate(fs.tolist()):
            text = next(concern) if worse[i] else ""
            if f in chosen:
                role = (
                    (" as lead" if chosen[0] == f else " as co-facilitator")
                    if len(chosen) == 2
                    else ""
                )
                code, detail = (
                    PINNED if f == pinned_to else CHOSEN,
                    f"allocated{role}; {ex.load_words(f)} after this batch",
                )
            elif full[i]:
                code, detail = (
                    STAGE_OLDEST if older[i] else STAGE_MOST,
                    f"eligible but already at {ex.load_words(f)} (places went to {self.takers(f)})",
                )
            elif pinned_to is not None:
                code, detail = STAGE_MOST, f"eligible; the request is pinned to {ex.fid(pinned_to)}"
            elif worse[i]:
                code, detail = (
                    STAGE_INDEPENDENCE,
                    f"eligible; {winner} is more independent ({text})",
                )
            elif busier[i]:
                code, detail = (
                    STAGE_WORKLOAD,
                    f"eligible; taking it would put {fids[i]} at "
                    f"{inst.open_load[f] + ex.load[f] + 1} of {inst.max_open[f]}, "
                    f"busier than {winner}",
                )
            elif weaker[i]:
                code, detail = (
                    STAGE_PREFERENCES,
                    f"eligible; {winner} matches the preferences better",
                )
            else:
                code, detail = (
                    STAGE_WORKLOAD,
                    f"eligible and as suitable; balancing workload across the "
                    f"whole batch gave it to {winner}",
                )
            rows.append(Explanation(rid, fids[i], True, code, detail))
        return rows
