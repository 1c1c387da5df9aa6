"""The day's state a batch is computed against.

The allocation engine never reads the ledger. The application (``jags.ledger``)
or the what-if simulation (``jags.scenarios``) hands it the state of the day as
plain data: every facilitator's open load and the facilitators excluded from a
request because they declined it. Requests already allocated are simply not
in the workspace handed to the engine, so they are never offered again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


@dataclass(frozen=True)
class DayState:
    """Open loads and exclusions on the day of a batch.

    Parameters
    ----------
    open_load
        Facilitator id → JAGS open on the day (allocated, contacted,
        confirmed or scheduled). A facilitator not listed has none. When a
        state is given, it replaces the ``open_jags`` column and open
        ``history`` rows.
    declined
        ``(request_id, facilitator_id)`` pairs: that facilitator declined
        that request and is excluded from it (code ``declined``).
    """

    open_load: Mapping[str, int] = field(default_factory=dict)
    declined: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        loads = dict(self.open_load)
        for fid, load in loads.items():
            if load < 0:
                raise ValueError(f"open load of {fid} is negative")
        object.__setattr__(self, "open_load", MappingProxyType(loads))
        object.__setattr__(self, "declined", frozenset(self.declined))

    @classmethod
    def of(
        cls, open_load: Mapping[str, int] | None = None, declined: Iterable[tuple[str, str]] = ()
    ) -> DayState:
        """A state from plain values (default: nothing open, nothing declined)."""
        return cls(dict(open_load or {}), frozenset(declined))

    def load_of(self, facilitator_id: str) -> int:
        """Open JAGS of one facilitator (0 when not listed)."""
        return self.open_load.get(facilitator_id, 0)
