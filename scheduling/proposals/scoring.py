"""The score of a slot (rule 3): one integer that ranks a request's slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from scheduling.proposals.slots import make_slots

if TYPE_CHECKING:
    from collections.abc import Sequence

    from allocator.policy import Policy
    from scheduling.proposals.sessions import SessionRequest

__all__ = ["Scoring"]


def _radix(largest: int) -> int:
    """The smallest power of ten above ``largest``, at least 100 (two digits)."""
    digits: int = max(2, len(str(max(largest, 0))))
    return int(10**digits)


@dataclass(frozen=True)
class Scoring:
    """The score of a slot: one integer that ranks a request's slots lexicographically.

    ``score = (((((tentative·A + optional_busy)·A + unknown)·D + working_day)·A
    + gaps)·S + slot_index``, where each radix is a power of ten larger than
    anything its criterion can count, so the criteria never trade against
    each other within a request. Lower is better.

    Parameters
    ----------
    attendee_radix
        ``A``: above the most attendees of any session (default 100).
    day_radix
        ``D``: above the largest working-day index searched (default 100).
    slot_radix
        ``S``: above the most starts in one day (default 100).
    """

    attendee_radix: int = 100
    day_radix: int = 100
    slot_radix: int = 100

    @classmethod
    def for_batch(
        cls, sessions: Sequence[SessionRequest], policy: Policy, search_days: int
    ) -> Scoring:
        """The radices for ``sessions`` under ``policy``, searching ``search_days`` beyond."""
        zone = ZoneInfo(policy.timezone)
        per_day = len(make_slots(date(2001, 1, 1), policy, zone))  # same every day
        most = max((len(s.attendees) for s in sessions), default=0)
        return cls(_radix(most), _radix(policy.window_last_day + search_days), _radix(per_day - 1))

    def score(
        self,
        tentative: int,
        optional_busy: int,
        unknown: int,
        working_day: int,
        gaps: int,
        slot_index: int,
    ) -> int:
        """The score of a slot from its criteria (see the class notes)."""
        a, d, s = self.attendee_radix, self.day_radix, self.slot_radix
        return (
            (((tentative * a + optional_busy) * a + unknown) * d + working_day) * a + gaps
        ) * s + slot_index
