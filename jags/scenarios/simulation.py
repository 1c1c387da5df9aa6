"""One replication of one scenario: a discrete-event simulation (SimPy) on the real engine.

Time is counted in working days of the policy's calendar (day ``t`` is
``model.days[t]``). Within a day, in this order: pool changes take effect,
requests arrive (before the cut-off), journeys move on (contact, decline,
step down, confirmation, session held), and at the end of the day the
Business Unit's daily batch runs: :func:`allocator.allocate` on the day's
state (the facilitators, their leave, open loads, declined pairs, the
history so far and the requests waiting). Every allocation decision is the
engine's; this module only keeps the state and moves requests along, and
:mod:`jags.scenarios.measures` measures the finished run.

Processes are generator functions, one per actor (arrivals, the daily
batch, the pool, each JAGS's journey); the state lives in one small object;
every random draw comes from a stream of :mod:`jags.scenarios.seeds`.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from allocator import DayState, Leave, PastRole, PastSession, WorkingCalendar, Workspace, allocate
from jags.scenarios.demand import arrival_time, daily_counts, make_request
from jags.scenarios.journeys import SimRequest, journey
from jags.scenarios.measures import measure
from jags.scenarios.seeds import Stream, stream

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable
    from datetime import date, datetime

    from allocator import Facilitator
    from jags.scenarios.demand import Network
    from jags.scenarios.measures import Outcome
    from jags.scenarios.prepare import ScenarioModel

__all__ = ["Simulation", "simulate_replication"]

# When things happen within working day t (SimPy time t + offset).
_POOL, _ARRIVE, _MOVE, _BATCH = 0.0, 0.2, 0.5, 0.9
_NO_SECTOR = "(no sector)"


@dataclass
class _State:
    """The day's state the engine is handed, kept between days."""

    facilitators: dict[str, Facilitator]
    open_load: dict[str, int]
    leave: tuple[Leave, ...]
    waiting: dict[str, SimRequest] = field(default_factory=dict)
    declined: set[tuple[str, str]] = field(default_factory=set)
    history: dict[tuple[str, str], PastSession] = field(default_factory=dict)
    facilitator_tuple: tuple[Facilitator, ...] | None = None
    history_tuple: tuple[PastSession, ...] | None = None


@cache
def _calendar(closures: tuple[date, ...], zone: str) -> WorkingCalendar:
    """One calendar per set of closure days, zone and process (its holiday table is
    reused)."""
    return WorkingCalendar(closures, zone=zone)


class Simulation:
    """One replication of one scenario. Call :meth:`run` once.

    Parameters
    ----------
    model
        The prepared scenario.
    seeds
        This replication's seed sequence (from :func:`~jags.scenarios.seeds.replication_seeds`).
    replication
        The replication's number, for the outcome.
    daily
        Keep day-by-day series (default ``False``).
    trace
        Keep every request's events (default ``False``).
    explain
        Have the engine build its plain-English reasons each day (default
        ``False``: the simulation uses only its choices; the benchmark
        measures the difference).
    """

    def __init__(
        self,
        model: ScenarioModel,
        seeds: np.random.SeedSequence,
        replication: int = 0,
        *,
        daily: bool = False,
        trace: bool = False,
        explain: bool = False,
    ) -> None:
        self.model = model
        self.seeds = seeds
        self.replication = replication
        self.keep_daily = daily
        self.trace = trace
        self.explain = explain
        self.batches = 0
        """Days the engine ran (a day with nothing waiting needs no batch)."""
        self.env = simpy.Environment()
        self.calendar = _calendar(model.policy.closure_days, model.policy.timezone)
        self.days = model.days
        self.n_days = len(model.days)
        self.day_index = {d: i for i, d in enumerate(model.days)}
        base = model.workspace
        self.base = base
        known = {s.casefold() for s in model.mix.sectors}
        extra = sorted(
            {
                f.sector or _NO_SECTOR
                for f in base.facilitators
                if (f.sector or _NO_SECTOR).casefold() not in known
            }
        )
        self.sectors: tuple[str, ...] = (*model.mix.sectors, *extra)
        self.sector_of = {f.facilitator_id: self._sector_index(f.sector) for f in base.facilitators}
        priority = self._priorities(base.facilitators)
        leave = (*base.leave, *self._seasonal_leave(priority))
        self.state = _State(
            facilitators={f.facilitator_id: f for f in base.facilitators}, open_load={}, leave=leave
        )
        self.leave_of: dict[str, list[tuple[date, date]]] = {}
        for lv in leave:
            self.leave_of.setdefault(lv.facilitator_id, []).append((lv.start, lv.end))
        self.removals = self._removals(priority)
        first = Workspace.model_construct(
            facilitators=base.facilitators, leave=leave, organisations=base.organisations
        )
        self._indexes = {
            "sector_of_org": first.sector_of_org,
            "leave_by_facilitator": first.leave_by_facilitator,
        }
        self.requests: list[SimRequest] = []
        self.held_ids: list[str] = []
        self.held_networks: dict[str, Network] = {}
        self.events: list[tuple[str, int, str, str]] = []
        self.backlog = np.zeros(self.n_days, dtype=np.int64)
        self.load_now = np.zeros(len(self.sectors), dtype=np.int64)
        self.load = np.zeros((self.n_days, len(self.sectors)), dtype=np.int64)
        self.total_load = np.zeros(self.n_days, dtype=np.int64)
        self.counts = {"held": 0, "held_within_window": 0, "stepped_down": 0, "declined": 0}

    # The run ----------------------------------------------------------------

    def run(self) -> Outcome:
        """Simulate the whole period and measure it."""
        self.env.process(self._open_at_start())
        self.env.process(self._pool())
        self.env.process(self._arrivals())
        self.env.process(self._batches())
        self.env.run(until=self.n_days)
        return measure(self)

    def at(self, day: int, offset: float = _MOVE) -> simpy.Timeout:
        """A timeout until working day ``day`` at ``offset`` (at once if that has passed)."""
        return self.env.timeout(max(day + offset - self.env.now, 0.0))

    # Processes --------------------------------------------------------------

    def _open_at_start(self) -> Generator[simpy.Event, Any, None]:
        """JAGS already open on day 0 close at a random point of a journey's length."""
        base, process = self.base, self.model.process
        on_record = base.open_history
        longest = process.contact.highest + process.confirm.highest + process.session.highest
        rng = stream(self.seeds, Stream.OPEN_AT_START)
        closes: list[tuple[int, str]] = []
        for fac in sorted(base.facilitators, key=lambda f: f.facilitator_id):
            n = max(fac.open_jags, on_record.get(fac.facilitator_id, 0))
            for _ in range(n):
                self._change_load(fac.facilitator_id, +1)
                closes.append((1 + int(rng.random() * max(longest, 1)), fac.facilitator_id))
        for day, fid in sorted(closes):
            yield self.at(day)
            self._change_load(fid, -1)

    def _pool(self) -> Generator[simpy.Event, Any, None]:
        """Leavers stop taking new JAGS (they finish the ones they hold)."""
        for day, ids in self.removals:
            yield self.at(day, _POOL)
            for fid in ids:
                self.state.facilitators[fid] = self.state.facilitators[fid].model_copy(
                    update={"active": False}
                )
            self.state.facilitator_tuple = None

    def _arrivals(self) -> Generator[simpy.Event, Any, None]:
        """Requests arrive during each working day, before the cut-off."""
        model = self.model
        counts = daily_counts(model.demand, self.days, stream(self.seeds, Stream.ARRIVALS))
        policy = model.policy
        draws = model.mix.max_draws + 3
        for t, n in enumerate(counts):
            if not n:
                continue
            yield self.at(t, _ARRIVE)
            for j in range(n):
                u = stream(self.seeds, Stream.NETWORK, t, j).random(draws).tolist()
                self._arrive(
                    t,
                    j,
                    u,
                    arrival_time(
                        self.days[t], u[-1], policy.day_start, policy.cutoff, policy.timezone
                    ),
                )

    def _arrive(self, t: int, j: int, u: list[float], received: datetime) -> None:
        model = self.model
        rid = f"S{t + 1:04d}-{j + 1:02d}"
        follow_up_of = None
        if self.held_ids and u[-3] < model.follow_up_share:
            follow_up_of = self.held_ids[
                min(int(u[-2] * len(self.held_ids)), len(self.held_ids) - 1)
            ]
            network = self.held_networks[follow_up_of]
        else:
            network = model.mix.draw(u, f"SIM-CASE-{t + 1:04d}-{j + 1:02d}")
        request, participants = make_request(rid, received, network, follow_up_of)
        sim = SimRequest(
            request, participants, network, t, stream(self.seeds, Stream.JOURNEY, t, j)
        )
        self.requests.append(sim)
        self.state.waiting[rid] = sim
        self.event(sim, t, "received")

    def _batches(self) -> Generator[simpy.Event, Any, None]:
        """The daily batch at the end of every working day."""
        for t in range(self.n_days):
            yield self.at(t, _BATCH)
            if self.state.waiting:
                self._batch(t)
            self.backlog[t] = len(self.state.waiting)
            self.total_load[t] = int(self.load_now.sum())
            if self.keep_daily:
                self.load[t] = self.load_now

    # The daily step ---------------------------------------------------------

    def _batch(self, t: int) -> None:
        """Run the engine on the day's state and start a journey for each allocation."""
        state = self.state
        waiting = list(state.waiting.values())
        workspace = Workspace.model_construct(
            facilitators=self._facilitators(),
            leave=state.leave,
            requests=tuple(w.request for w in waiting),
            participants=tuple(p for w in waiting for p in w.participants),
            involvements=self.base.involvements,
            history=self._history(),
            organisations=self.base.organisations,
        )
        # The workspace's indexes that stay the same all period (organisations'
        # sectors, leave by facilitator) are handed over from the first day's,
        # and the participants by request are known already: the engine's
        # cached properties, filled in rather than recomputed every day.
        workspace.__dict__.update(
            self._indexes,
            participants_by_request={
                w.request_id: w.participants for w in waiting if w.participants
            },
        )
        day_state = DayState(state.open_load, frozenset(state.declined))
        result = allocate(
            workspace,
            self.model.policy,
            on=self.days[t],
            calendar=self.calendar,
            state=day_state,
            explain=self.explain,
        )
        self.batches += 1
        inst = result.instance
        for r, request in enumerate(inst.requests):
            sim = state.waiting[request.request_id]
            if sim.allocate_by is None:
                sim.allocate_by = self.day_index.get(inst.allocate_by[r], self.n_days)
        for r in sorted(result.chosen):
            ids = tuple(inst.facilitators[f].facilitator_id for f in result.chosen[r])
            self._allocate(state.waiting.pop(inst.requests[r].request_id), ids, t)

    def _allocate(self, sim: SimRequest, ids: tuple[str, ...], t: int) -> None:
        sim.allocated_on, sim.facilitators, sim.status = t, ids, "allocated"
        sim.on_time = sim.allocate_by is not None and t <= sim.allocate_by
        day = self.days[t]
        emails = sim.network.emails
        for k, fid in enumerate(ids):
            self._change_load(fid, +1)
            role = (PastRole.LEAD if k == 0 else PastRole.CO) if len(ids) == 2 else None
            self.state.history[(sim.request_id, fid)] = PastSession.model_construct(
                request_id=sim.request_id,
                facilitator_id=fid,
                role=role,
                allocated_on=day,
                held_on=None,
                closed_on=None,
                attendees=emails,
            )
        self.state.history_tuple = None
        self.event(sim, t, "allocated", ids)
        self.env.process(journey(self, sim, t))

    def _facilitators(self) -> tuple[Facilitator, ...]:
        if self.state.facilitator_tuple is None:
            self.state.facilitator_tuple = tuple(self.state.facilitators.values())
        return self.state.facilitator_tuple

    def _history(self) -> tuple[PastSession, ...]:
        if self.state.history_tuple is None:
            self.state.history_tuple = (*self.base.history, *self.state.history.values())
        return self.state.history_tuple

    # Book-keeping (what each step of a journey does to the state) ------------

    def mark(self, sim: SimRequest, day: int, status: str) -> None:
        """A step that changes nothing but the request's status (contacted, confirmed)."""
        sim.status = status
        self.event(sim, day, status)

    def requeue(self, sim: SimRequest, declined: list[str], day: int) -> None:
        """Facilitators declined: back to the queue, with its allocate-by, decliners excluded."""
        self.release(sim)
        for fid in sim.facilitators:
            self.state.history.pop((sim.request_id, fid), None)
        self.state.history_tuple = None
        self.state.declined.update((sim.request_id, fid) for fid in declined)
        self.counts["declined"] += len(declined)
        self.event(sim, day, "declined", declined)
        sim.allocated_on, sim.facilitators, sim.status = None, (), "received"
        self.state.waiting[sim.request_id] = sim

    def step_down(self, sim: SimRequest, day: int) -> None:
        """Another route agreed: the JAGS closes and its load is released."""
        self.release(sim)
        self.close(sim, day, held=False)
        self.counts["stepped_down"] += 1
        self.mark(sim, day, "stepped_down")

    def hold(self, sim: SimRequest, confirmed: int, held: int) -> None:
        """The session is held: the JAGS closes and its load is released."""
        self.release(sim)
        self.close(sim, held, held=True)
        self.counts["held"] += 1
        policy = self.model.policy
        if policy.window_first_day <= held - confirmed <= policy.window_last_day:
            self.counts["held_within_window"] += 1
        if self.model.follow_up_share > 0:
            self.held_ids.append(sim.request_id)
            self.held_networks[sim.request_id] = sim.network
        self.mark(sim, held, "held")

    def _change_load(self, fid: str, by: int) -> None:
        load = self.state.open_load
        load[fid] = load.get(fid, 0) + by
        self.load_now[self.sector_of[fid]] += by

    def release(self, sim: SimRequest) -> None:
        for fid in sim.facilitators:
            self._change_load(fid, -1)

    def close(self, sim: SimRequest, day: int, *, held: bool) -> None:
        when = self.days[min(day, self.n_days - 1)]
        for fid in sim.facilitators:
            row = self.state.history[(sim.request_id, fid)]
            self.state.history[(sim.request_id, fid)] = row.model_copy(
                update={"held_on": when if held else None, "closed_on": when}
            )
        self.state.history_tuple = None

    def clear_of_leave(self, ids: tuple[str, ...], day: int) -> int:
        """The first working day from ``day`` on which none of ``ids`` is on leave."""
        spans = [span for fid in ids for span in self.leave_of.get(fid, ())]
        while day < self.n_days and any(a <= self.days[day] <= b for a, b in spans):
            day += 1
        return day

    def event(self, sim: SimRequest, day: int, what: str, ids: Iterable[str] = ()) -> None:
        if self.trace:
            self.events.append((sim.request_id, day, what, ";".join(ids)))

    # Pool changes drawn per replication -------------------------------------

    def _sector_index(self, sector: str | None) -> int:
        name = (sector or _NO_SECTOR).casefold()
        return next(i for i, s in enumerate(self.sectors) if s.casefold() == name)

    def _priorities(self, facilitators: Iterable[Facilitator]) -> list[str]:
        """Facilitator ids in a random order of this replication, each one's place
        drawn from its own stream (so adding facilitators does not reshuffle the rest)."""
        keyed = [
            (
                float(
                    stream(self.seeds, Stream.POOL, zlib.crc32(f.facilitator_id.encode())).random()
                ),
                f.facilitator_id,
            )
            for f in facilitators
        ]
        return [fid for _, fid in sorted(keyed)]

    def _matching(self, order: list[str], sector: str | None, exclude: set[str]) -> list[str]:
        """Facilitators of ``sector`` in ``order``, active ones first."""
        facs = self.base.facilitator_by_id
        found = [
            fid
            for fid in order
            if fid not in exclude
            and (sector is None or (facs[fid].sector or "").casefold() == sector.casefold())
        ]
        return sorted(found, key=lambda fid: not facs[fid].active)

    def _removals(self, order: list[str]) -> list[tuple[int, list[str]]]:
        gone: set[str] = set()
        plan: list[tuple[int, list[str]]] = []
        for removal in sorted(self.model.removals, key=lambda r: r.day):
            ids = list(removal.ids) or self._matching(order, removal.sector, gone)[: removal.count]
            gone.update(ids)
            plan.append((removal.day, ids))
        return plan

    def _seasonal_leave(self, order: list[str]) -> list[Leave]:
        rows = []
        for plan in self.model.leave:
            candidates = self._matching(order, plan.sector, set())
            n = (
                plan.count
                if plan.count is not None
                else math.ceil((plan.share or 0) * len(candidates))
            )
            rows += [
                Leave(facilitator_id=fid, start=plan.start, end=plan.end) for fid in candidates[:n]
            ]
        return rows


def simulate_replication(
    model: ScenarioModel,
    seeds: np.random.SeedSequence,
    replication: int = 0,
    *,
    daily: bool = False,
    trace: bool = False,
) -> Outcome:
    """Simulate one replication of one scenario (see :class:`Simulation`)."""
    return Simulation(model, seeds, replication, daily=daily, trace=trace).run()
