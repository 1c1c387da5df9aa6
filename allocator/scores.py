"""Soft independence (stage 3) and preferences (stage 5): the one definition.

Each term is a test on a (request, facilitator) pair, evaluated for many
pairs at once with numpy. The solvers add up the weighted terms; the
explanations name the terms that hold for one pair. Weights come from the
policy; a term with weight 0 never counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allocator.models import Mode, normalise_org
from allocator.rules import add_months

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from numpy.typing import NDArray

    from allocator.models import Facilitator, Request, Workspace
    from allocator.policy import Policy


def _ids(values: Sequence[str], vocabulary: dict[str, int]) -> NDArray[np.int64]:
    """Each value's id in ``vocabulary`` (added when new); the empty string is -1."""
    return np.fromiter(
        (vocabulary.setdefault(v, len(vocabulary)) if v else -1 for v in values),
        dtype=np.int64,
        count=len(values),
    )


@dataclass(frozen=True)
class Scores:
    """What the soft terms read, as integer ids (built once per batch).

    Per facilitator: sector, locality; per request: locality, topic, mode,
    named facilitator; and sparse (request, value) keys for the case
    network's sectors, the facilitators who worked alongside someone in the
    network, and each facilitator's specialisms.
    """

    policy: Policy
    n_facilitators: int
    fac_sector: NDArray[np.int64]
    fac_place: NDArray[np.int64]
    req_place: NDArray[np.int64]
    req_topic: NDArray[np.int64]
    req_in_person: NDArray[np.bool_]
    req_named: NDArray[np.int64]
    network_sector_keys: NDArray[np.int64]
    """Sorted ``request * n_sectors + sector`` for every sector in each case network."""
    n_sectors: int
    alongside_keys: NDArray[np.int64]
    """Sorted ``request * n_facilitators + facilitator``: worked alongside a participant."""
    skill_keys: NDArray[np.int64]
    """Sorted ``topic * n_facilitators + facilitator`` for each specialism."""
    sector_names: tuple[str, ...]
    """Each facilitator's sector as written."""

    @classmethod
    def build(
        cls,
        workspace: Workspace,
        policy: Policy,
        on: date,
        facilitators: Sequence[Facilitator],
        requests: Sequence[Request],
        network_emails: Sequence[frozenset[str]],
        network_orgs: Sequence[frozenset[str]],
    ) -> Scores:
        """The score data of one batch (requests and facilitators in batch order)."""
        n_f = len(facilitators)
        sectors: dict[str, int] = {}
        places: dict[str, int] = {}
        topics: dict[str, int] = {}
        fac_sector = _ids([(f.sector or "").casefold() for f in facilitators], sectors)
        fac_place = _ids([normalise_org(f.locality or "") for f in facilitators], places)
        req_place = _ids([normalise_org(r.locality or "") for r in requests], places)
        req_topic = _ids([normalise_org(r.topic or "") for r in requests], topics)
        skills = sorted(
            {
                topics[t] * n_f + i
                for i, f in enumerate(facilitators)
                for s in f.specialisms
                if (t := normalise_org(s)) in topics
            }
        )
        index = {f.facilitator_id: i for i, f in enumerate(facilitators)}
        named = [
            index.get(r.preferred_facilitator_id, -1)
            if r.preferred_facilitator_id and not r.preference_rationale
            else -1
            for r in requests
        ]
        sector_of = workspace.sector_of_org
        n_s = max(len(sectors), 1)
        network_sector_keys = sorted(
            {
                r * n_s + sectors[s]
                for r, orgs in enumerate(network_orgs)
                for o in orgs
                if o in sector_of and (s := sector_of[o].casefold()) in sectors
            }
        )
        worked_with = _worked_alongside(
            workspace, policy, on, index, frozenset().union(*network_emails)
        )
        alongside = sorted(
            {
                r * n_f + f
                for r, emails in enumerate(network_emails)
                for e in emails
                for f in worked_with.get(e, ())
            }
        )
        return cls(
            policy=policy,
            n_facilitators=n_f,
            fac_sector=fac_sector,
            fac_place=fac_place,
            req_place=req_place,
            req_topic=req_topic,
            req_in_person=np.fromiter(
                (r.mode is Mode.IN_PERSON for r in requests), dtype=np.bool_, count=len(requests)
            ),
            req_named=np.asarray(named, dtype=np.int64).reshape(-1),
            network_sector_keys=np.asarray(network_sector_keys, dtype=np.int64),
            n_sectors=n_s,
            alongside_keys=np.asarray(alongside, dtype=np.int64),
            skill_keys=np.asarray(skills, dtype=np.int64),
            sector_names=tuple(f.sector or "" for f in facilitators),
        )

    # The terms ------------------------------------------------------------------------------

    def same_sector(self, r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.bool_]:
        """The facilitator's sector is the sector of an organisation in the case network."""
        sector = self.fac_sector[f]
        return (sector >= 0) & _member(r * self.n_sectors + sector, self.network_sector_keys)

    def same_locality(self, r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.bool_]:
        """The facilitator's locality is the request's."""
        place = self.req_place[r]
        return np.asarray((place >= 0) & (self.fac_place[f] == place), dtype=np.bool_)

    def worked_alongside(self, r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.bool_]:
        """The facilitator facilitated an earlier JAGS, within the look-back, with someone in
        the case network."""
        return _member(r * self.n_facilitators + f, self.alongside_keys)

    def specialism_match(self, r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.bool_]:
        """The request's topic is one of the facilitator's specialisms."""
        topic = self.req_topic[r]
        return (topic >= 0) & _member(topic * self.n_facilitators + f, self.skill_keys)

    def locality_in_person(self, r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.bool_]:
        """An in-person session in the facilitator's own locality."""
        return np.asarray(self.req_in_person[r] & self.same_locality(r, f), dtype=np.bool_)

    def named_facilitator(self, r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.bool_]:
        """The facilitator was named without a rationale (a wish, not a pin)."""
        return np.asarray(self.req_named[r] == f, dtype=np.bool_)

    # Totals ---------------------------------------------------------------------------------

    def penalty(self, r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.int64]:
        """Stage-3 penalty of each pair ``(r[k], f[k])``."""
        weights = self.policy.penalties
        return (
            weights.same_sector * self.same_sector(r, f).astype(np.int64)
            + weights.same_locality * self.same_locality(r, f).astype(np.int64)
            + weights.worked_alongside * self.worked_alongside(r, f).astype(np.int64)
        )

    def preference(self, r: NDArray[np.int64], f: NDArray[np.int64]) -> NDArray[np.int64]:
        """Stage-5 preference of each pair ``(r[k], f[k])``."""
        weights = self.policy.preferences
        return (
            weights.specialism_match * self.specialism_match(r, f).astype(np.int64)
            + weights.locality_in_person * self.locality_in_person(r, f).astype(np.int64)
            + weights.named_facilitator * self.named_facilitator(r, f).astype(np.int64)
        )

    def penalty_terms(self, r: int, f: NDArray[np.int64]) -> list[list[tuple[str, int]]]:
        """For request ``r`` and each facilitator in ``f``: the stage-3 terms that hold, in
        words, with their weights (terms of weight 0 left out)."""
        weights = self.policy.penalties
        at = np.full(len(f), r, dtype=np.int64)
        alongside = (
            f"worked alongside a participant in the last {weights.worked_alongside_months} months"
        )
        found = zip(
            f.tolist(),
            (self.same_sector(at, f) & bool(weights.same_sector)).tolist(),
            (self.same_locality(at, f) & bool(weights.same_locality)).tolist(),
            (self.worked_alongside(at, f) & bool(weights.worked_alongside)).tolist(),
            strict=True,
        )
        return [
            [
                term
                for term, holds in (
                    (
                        (
                            f"same sector as the case network ({self.sector_names[i]})",
                            weights.same_sector,
                        ),
                        sector,
                    ),
                    (("same locality", weights.same_locality), place),
                    ((alongside, weights.worked_alongside), worked),
                )
                if holds
            ]
            for i, sector, place, worked in found
        ]


def _member(keys: NDArray[np.int64], sorted_keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether each key is in ``sorted_keys`` (binary search: n log m)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=np.bool_)
    at = np.searchsorted(sorted_keys, keys)
    at[at == len(sorted_keys)] = 0
    return np.asarray(sorted_keys[at] == keys)


def _worked_alongside(
    workspace: Workspace, policy: Policy, on: date, index: dict[str, int], emails: frozenset[str]
) -> dict[str, set[int]]:
    """E-mail (of those in ``emails``, the batch's case networks) → facilitators who had
    that person in a JAGS within the look-back period."""
    since = add_months(on, -policy.penalties.worked_alongside_months)
    seen: dict[str, set[int]] = {}
    for past in workspace.history:
        if emails.isdisjoint(past.attendees):
            continue
        when = past.held_on or past.allocated_on
        if when is not None and since <= when <= on and past.facilitator_id in index:
            for email in emails.intersection(past.attendees):
                seen.setdefault(email, set()).add(index[past.facilitator_id])
    return seen
