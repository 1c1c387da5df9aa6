"""Facilitator pools that the unblock search of :mod:`allocator.explain` reads."""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from allocator.eligibility import Code

if TYPE_CHECKING:
    from allocator.eligibility import Instance
    from allocator.explain import Explainer


RULE_ORDER = (
    Code.IS_PARTICIPANT,
    Code.PRIOR_INVOLVEMENT,
    Code.DECLINED,
    Code.SHARES_ORGANISATION,
    Code.MISSING_DATA,
    Code.INACTIVE,
    Code.NOT_TRAINED,
    Code.ON_LEAVE,
    Code.AT_CAPACITY,
)
"""Order of the rules in a waiting reason when two exclude as many facilitators."""


class Ranked:
    """Some facilitators in a fixed order, grouped by organisation, so that the first
    ones outside a request's exclusions are found without scanning them all."""

    def __init__(self, members: list[int], group: list[int]) -> None:
        self.members = set(members)
        self.rank = {f: i for i, f in enumerate(members)}
        self.by_group: dict[int, list[int]] = {}
        for f in members:
            self.by_group.setdefault(group[f], []).append(f)
        self.group_order = list(self.by_group)  # by each group's first member
        self.count_in = {g: len(fs) for g, fs in self.by_group.items()}


class Outside:
    """One request's exclusions, asked about a :class:`Ranked` set of facilitators."""

    def __init__(self, inst: Instance, r: int) -> None:
        self.group = inst.org_groups
        self.groups = inst.network_groups[r]
        self.people = inst.people[r]
        self.lifted = inst.lifted.get(r)

    def excluded(self, f: int) -> bool:
        return f in self.people or (self.group[f] in self.groups and f != self.lifted)

    def count(self, ranked: Ranked) -> int:
        """Members of ``ranked`` no rule about this case excludes."""
        inside = sum(ranked.count_in.get(g, 0) for g in self.groups)
        inside += sum(
            1 for f in self.people if f in ranked.members and self.group[f] not in self.groups
        )
        if self.lifted is not None and self.lifted in ranked.members:
            inside -= 1
        return len(ranked.members) - inside

    def first(self, ranked: Ranked, k: int) -> list[int]:
        """The first ``k`` members of ``ranked``, in its order, that no rule about this
        case excludes (a k-way merge over the organisations not excluded)."""
        heap: list[tuple[int, int, int]] = []
        groups = iter(g for g in ranked.group_order if g not in self.groups)

        def open_next_group() -> None:
            g = next(groups, None)
            if g is not None:
                heapq.heappush(heap, (ranked.rank[ranked.by_group[g][0]], g, 0))

        open_next_group()
        found: list[int] = []
        while heap and len(found) < k:
            _, g, i = heapq.heappop(heap)
            if i == 0:
                open_next_group()
            members = ranked.by_group[g]
            if members[i] not in self.people:
                found.append(members[i])
            if i + 1 < len(members):
                heapq.heappush(heap, (ranked.rank[members[i + 1]], g, i + 1))
        if self.lifted is not None and self.lifted in ranked.members:
            found = sorted([*found, self.lifted], key=ranked.rank.__getitem__)
        return found[:k]


class Pools:
    """Facilitator sets the unblock search reads for every waiting request, built once."""

    def __init__(self, ex: Explainer) -> None:
        self.inst = inst = ex.inst
        codes = inst.facilitator_code
        group = inst.org_groups
        capacity_only = [
            f
            for f in range(inst.n_facilitators)
            if (codes[f] is None and ex.full[f]) or codes[f] is Code.AT_CAPACITY
        ]
        capacity_only.sort(key=lambda f: (0 if ex.open_history.get(ex.fid(f)) else 1, ex.fid(f)))
        self.capacity_only = self.frees = Ranked(capacity_only, group)
        """Facilitators whose only obstacle is capacity, who frees a place first (a known
        open JAGS first, then by id)."""
        available = np.flatnonzero(inst.available).tolist()
        self.available = Ranked(available, group)
        self.available_full = Ranked([f for f in available if ex.full[f]], group)
        self.members: list[list[int]] = [[] for _ in range(inst.n_groups)]
        for f in range(inst.n_facilitators):
            self.members[group[f]].append(f)
        # When each available facilitator first gave a place in this batch (request rank).
        taken = {f: rs[0] for f, rs in ex.given.items()}
        self.first_taker = [taken.get(f, inst.n_requests) for f in range(inst.n_facilitators)]
        self.not_full = [f for f in available if not ex.full[f]]
        """Available facilitators with a place left after this batch."""
        full = self.available_full.members
        self.taken_all = sorted(self.first_taker[f] for f in full)
        self.taken_in: dict[int, list[int]] = {}
        for f in full:
            self.taken_in.setdefault(group[f], []).append(self.first_taker[f])
        for ranks in self.taken_in.values():
            ranks.sort()
        self.incomplete = Ranked(
            [
                f
                for f in range(inst.n_facilitators)
                if codes[f] is Code.MISSING_DATA and inst.code_if_complete[f] is None
            ],
            group,
        )
        self.group_size = Counter(group)
        self.by_code: dict[Code, Ranked] = {}
        for code in {c for c in codes if c is not None and c is not Code.AT_CAPACITY}:
            self.by_code[code] = Ranked([f for f, c in enumerate(codes) if c is code], group)

    def outside(self, r: int) -> Outside:
        return Outside(self.inst, r)

    def older_takers(self, r: int) -> int:
        """Facilitators eligible for request ``r``, full after this batch, who gave a place
        to an older request."""
        outside = self.outside(r)
        full = self.available_full.members
        count = bisect.bisect_left(self.taken_all, r)
        count -= sum(bisect.bisect_left(self.taken_in.get(g, []), r) for g in outside.groups)
        count -= sum(
            1
            for f in outside.people
            if f in full and outside.group[f] not in outside.groups and self.first_taker[f] < r
        )
        lifted = outside.lifted
        if lifted is not None and lifted in full and self.first_taker[lifted] < r:
            count += 1
        return count

    def exclusion_counts(self, r: int) -> list[tuple[Code, int]]:
        """Facilitators excluded from request ``r`` by a rule other than capacity alone,
        each counted once, under the rule about this case first: (code, count), most
        common first."""
        inst = self.inst
        outside = self.outside(r)
        found = Counter(outside.people.values())
        shared = sum(self.group_size[g] for g in outside.groups)
        shared -= sum(1 for f in outside.people if inst.org_groups[f] in outside.groups)
        shared -= 1 if outside.lifted is not None else 0
        if shared:
            found[Code.SHARES_ORGANISATION] = shared
        for code, ranked in self.by_code.items():
            if n := outside.count(ranked):
                found[code] += n
        return sorted(found.items(), key=lambda kv: (-kv[1], RULE_ORDER.index(kv[0])))
