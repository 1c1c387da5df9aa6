"""A JAGS's journey after allocation: contact, then decline, step down or confirmation,
then the session held. One SimPy process per allocated request.

The journey draws its delays and outcomes from the request's own stream, a
fixed number of uniform numbers per allocation, so the same request meets
the same luck in every scenario. What each outcome does to the day's state
(loads, the queue, declined pairs, history) is the simulation's book-keeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Generator

    import numpy as np
    import simpy

    from allocator import Participant, Request
    from jags.scenarios.demand import Network
    from jags.scenarios.simulation import Simulation

__all__ = ["SimRequest", "journey"]


@dataclass
class SimRequest:
    """A simulated request and where it is on its journey.

    ``day`` is its day 0 (the working day it arrived); ``allocate_by`` and
    ``allocated_on`` are working-day indexes too (``allocate_by`` as the
    engine computed it; past the period it is the period's length).
    """

    request: Request
    participants: tuple[Participant, ...]
    network: Network
    day: int
    draws: np.random.Generator
    allocate_by: int | None = None
    allocated_on: int | None = None
    facilitators: tuple[str, ...] = ()
    status: str = "received"
    on_time: bool = False

    @property
    def request_id(self) -> str:
        return self.request.request_id


def journey(
    sim: Simulation, request: SimRequest, allocated_on: int
) -> Generator[simpy.Event, Any, None]:
    """From allocation on working day ``allocated_on`` to the end of the JAGS.

    1. After the ``contact`` delay each facilitator may decline (chance
       ``decline_rate`` each): the request goes back to the queue with its
       allocate-by, the decliners excluded from it.
    2. Otherwise facilitator and requester may agree another route (chance
       ``step_down_rate``): stepped down, load released.
    3. Otherwise the JAGS is confirmed after ``confirm`` and the session is
       held ``session`` working days later (moved past any leave of its
       facilitators); holding it releases the load.
    """
    process = sim.model.process
    u = request.draws.random(4 + len(request.facilitators)).tolist()
    contact = allocated_on + process.contact.draw(u[0])
    yield sim.at(contact)
    declined = [
        fid for fid, x in zip(request.facilitators, u[4:], strict=False) if x < process.decline_rate
    ]
    if declined:
        sim.requeue(request, declined, contact)
        return
    if u[3] < process.step_down_rate:
        sim.step_down(request, contact)
        return
    sim.mark(request, contact, "contacted")
    confirmed = contact + process.confirm.draw(u[1])
    yield sim.at(confirmed)
    sim.mark(request, confirmed, "confirmed")
    held = sim.clear_of_leave(request.facilitators, confirmed + process.session.draw(u[2]))
    yield sim.at(held)
    sim.hold(request, confirmed, held)
