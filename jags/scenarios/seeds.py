"""Random streams: one seed sequence per replication, one keyed stream per purpose.

``SeedSequence(seed).spawn(n)`` gives each replication its own sequence, the
same whichever process or machine runs it. Inside a replication every
purpose has its own stream keyed by what it is for (the arrivals, request
``(day, j)``'s case network, its journey, the pool), never by the scenario,
so all scenarios of a run see the same arrivals and the same draws for the
same request: common random numbers.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["Stream", "replication_seeds", "stream"]


class Stream(IntEnum):
    """What a stream is for (part of its key)."""

    ARRIVALS = 0
    NETWORK = 1
    JOURNEY = 2
    POOL = 3
    OPEN_AT_START = 4


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One seed sequence per replication (``SeedSequence(seed).spawn(replications)``)."""
    return np.random.SeedSequence(seed).spawn(replications)


def stream(replication: np.random.SeedSequence, purpose: Stream, *key: int) -> np.random.Generator:
    """The generator for ``purpose`` (and ``key``, e.g. a request's day and number)
    in one replication. The same arguments always give the same draws."""
    child = np.random.SeedSequence(
        replication.entropy, spawn_key=(*replication.spawn_key, int(purpose), *key)
    )
    return np.random.Generator(np.random.PCG64(child))
