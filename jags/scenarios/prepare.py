"""From a scenario file to ready-to-run scenarios: files read, names checked, plans made.

Everything that reads a file or can be wrong in the user's data happens
here, once, before any replication runs: the workspace, the policies, a
demand history, and every sector, facilitator id and date the scenarios
name. A :class:`ScenarioModel` is plain frozen data, so it can be sent to
another process or another machine.
"""

from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from allocator import Facilitator, InputError, Policy, WorkingCalendar, Workspace
from allocator.models import normalise_org
from jags.cells import parse_datetime
from jags.policies import load_policy
from jags.scenarios.config import Process, ScenarioError, ScenarioFile
from jags.scenarios.demand import CaseMix, DemandPlan, history_pools, surge_factors
from jags.workspace import read_workspace

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from jags.scenarios.config import RemoveFacilitators, Scenario
    from jags.scenarios.demand import HistoryPools

__all__ = ["LeavePlan", "Removal", "ScenarioModel", "prepare", "working_days"]


@dataclass(frozen=True)
class Removal:
    """Facilitators leaving at the start of working day ``day`` (an index)."""

    day: int
    sector: str | None
    count: int
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeavePlan:
    """Leave from ``start`` to ``end`` for ``count`` facilitators of ``sector`` (or a share)."""

    sector: str | None
    count: int | None
    share: float | None
    start: date
    end: date


@dataclass(frozen=True)
class ScenarioModel:
    """One scenario, ready to simulate.

    Attributes
    ----------
    name, order
        The scenario's name and its place in the file.
    policy
        The policy the engine allocates with.
    workspace
        Facilitators (the base's and any added, each added one trained on its
        start date), leave, involvements, history and organisations; no
        requests (demand is simulated).
    days
        The period's working days.
    demand, mix
        How many requests arrive each day; who is in their case networks.
    process
        The journey's delays and rates.
    removals, leave
        Pool changes drawn in each replication.
    """

    name: str
    order: int
    policy: Policy
    workspace: Workspace
    days: tuple[date, ...]
    demand: DemandPlan
    mix: CaseMix
    process: Process
    follow_up_share: float = 0.0
    removals: tuple[Removal, ...] = ()
    leave: tuple[LeavePlan, ...] = ()


def working_days(calendar: WorkingCalendar, start: date, n: int) -> tuple[date, ...]:
    """The first ``n`` working days from ``start`` (``start`` itself when it is one)."""
    days = [calendar.next_working_day(start)]
    while len(days) < n:
        days.append(calendar.next_working_day(days[-1] + timedelta(days=1)))
    return tuple(days)


def prepare(
    source: ScenarioFile, *, working_days_override: int | None = None
) -> tuple[ScenarioModel, ...]:
    """Read the files a scenario file names and check every name and date in it.

    Parameters
    ----------
    source
        The validated scenario file.
    working_days_override
        Simulate this many working days instead of ``[base] working_days``
        (default ``None``: the file's).

    Raises
    ------
    InputError
        A workspace or policy that cannot be read (their own messages), or a
        :class:`ScenarioError` naming the file, the key and the value.
    """
    base = source.base
    label = source.label
    folder = source.path(base.workspace)
    if not folder.exists():
        raise ScenarioError(
            f"{label}: base.workspace = {str(base.workspace)!r}: no such "
            f"workspace folder or workbook"
        )
    workspace = read_workspace(folder)
    base_policy = _policy(source, base.policy, "base.policy")
    n_days = working_days_override or base.working_days
    received = _received_history(source)
    try:
        mix = CaseMix.from_workspace(
            workspace,
            source.demand.participants,
            sector_mix=source.demand.sector_mix,
            people_per_organisation=source.demand.people_per_organisation,
        )
    except KeyError as exc:
        raise ScenarioError(
            f"{label}: demand.sector_mix.{exc.args[0]}: no organisation in the "
            f"workspace has this sector"
        ) from None
    if not mix.sectors:
        raise ScenarioError(
            f"{label}: base.workspace = {str(base.workspace)!r}: no organisation "
            f"has a sector, so no case network can be drawn"
        )
    models = []
    for order, scenario in enumerate(source.scenario):
        models.append(
            _model(source, scenario, order, workspace, base_policy, n_days, received, mix)
        )
    return tuple(models)


def _model(
    source: ScenarioFile,
    scenario: Scenario,
    order: int,
    workspace: Workspace,
    base_policy: Policy,
    n_days: int,
    received: Sequence[datetime] | None,
    mix: CaseMix,
) -> ScenarioModel:
    where = f"{source.label}: scenario {order + 1} ({scenario.name!r})"
    policy = base_policy
    if scenario.policy is not None:
        policy = _policy(
            source, scenario.policy, f"scenario {order + 1} ({scenario.name!r}): policy"
        )
    if scenario.policy_settings:
        try:
            policy = policy.replace(**scenario.policy_settings)
        except InputError as exc:
            raise ScenarioError(f"{where}: policy_settings: {exc}") from None
    process = source.process
    if scenario.process:
        try:
            process = Process.model_validate(
                {**process.model_dump(by_alias=True), **scenario.process}
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(
                str(p)
                for p in err["loc"]
                if p not in ("fixed", "uniform", "triangular", "poisson", "empirical")
            )
            raise ScenarioError(
                f"{where}: process.{key} = {err.get('input')!r}: "
                f"{str(err['msg']).removeprefix('Value error, ')}"
            ) from None
    calendar = WorkingCalendar.for_policy(policy)
    days = working_days(calendar, source.base.start, n_days)
    demand = _demand(source, scenario, where, days, calendar, policy, received)
    sectors = _sectors(workspace)
    added = _added(scenario, where, workspace, mix, sectors)
    n_removals = len(scenario.remove_facilitators)
    removals = tuple(
        _removal(
            r, f"{where}: remove_facilitators{_nth(i, n_removals)}", workspace, added, sectors, days
        )
        for i, r in enumerate(scenario.remove_facilitators)
    )
    leave = []
    for i, lv in enumerate(scenario.leave):
        key = f"{where}: leave{_nth(i, len(scenario.leave))}.sector"
        sector = None if lv.sector is None else _sector(sectors, lv.sector, key)
        leave.append(LeavePlan(sector, lv.count, lv.share, lv.start, lv.end))
    facilitators = (*workspace.facilitators, *added)
    model_ws = Workspace(
        facilitators=facilitators,
        leave=workspace.leave,
        involvements=workspace.involvements,
        history=workspace.history,
        organisations=workspace.organisations,
    )
    return ScenarioModel(
        scenario.name,
        order,
        policy,
        model_ws,
        days,
        demand,
        mix,
        process,
        source.demand.follow_up_share,
        removals,
        tuple(leave),
    )


def _nth(i: int, n: int) -> str:
    """``[2]`` for the second of several tables, nothing for a single one."""
    return f"[{i + 1}]" if n > 1 else ""


def _policy(source: ScenarioFile, name: str, key: str) -> Policy:
    from allocator import PRESETS

    if name in PRESETS:
        return Policy.preset(name)
    path = source.path(Path(name))
    if not path.exists():
        raise ScenarioError(
            f"{source.label}: {key} = {name!r}: no policy preset or file of "
            f"that name (presets: {', '.join(PRESETS)})"
        )
    return load_policy(path)


def _received_history(source: ScenarioFile) -> list[datetime] | None:
    demand = source.demand
    if demand.from_ledger:
        return _ledger_history(source)
    if demand.history is None:
        return None
    return read_received(source.path(demand.history), f"{source.label}: demand.history")


def _ledger_history(source: ScenarioFile) -> list[datetime]:
    """When the workspace's ledger received each request (its own history to resample).

    The ledger is the one ``jags status`` would open for the scenario's workspace
    (``JAGS_DB`` and ``JAGS_PARTNERSHIP`` apply).
    """
    from jags.ledger import Ledger

    workspace = source.path(source.base.workspace)
    ledger = Ledger.open(workspace)
    if ledger is None:
        raise ScenarioError(
            f"{source.label}: demand.from_ledger = true: the workspace has no "
            f"ledger (run jags init and some daily batches first)"
        )
    try:
        received = ledger.received_history()
    finally:
        ledger.close()
    if not received:
        raise ScenarioError(
            f"{source.label}: demand.from_ledger = true: the ledger holds no requests yet"
        )
    return received


def read_received(path: Path, key: str = "history") -> list[datetime]:
    """The ``received_at`` column of a CSV file (e.g. an earlier ``requests.csv``).

    Raises
    ------
    ScenarioError
        Naming the file, and the row and column of a value that is not a
        date-time (the value itself is not repeated: the file may hold case
        details).
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise ScenarioError(f"{key} = {str(path)!r}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path.name}: cannot read ({exc.__class__.__name__})") from None
    if not rows or "received_at" not in [c.strip() for c in rows[0]]:
        raise ScenarioError(f"{path.name}: column received_at: missing")
    col = [c.strip() for c in rows[0]].index("received_at")
    out, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        cell = row[col].strip() if col < len(row) else ""
        if not cell:
            continue
        try:
            out.append(parse_datetime(cell))
        except ValueError:
            problems.append(f"{path.name}: row {number}, column received_at: not a date-time")
    if problems:
        raise ScenarioError("\n".join(problems))
    if not out:
        raise ScenarioError(f"{path.name}: column received_at: no dates to resample")
    return out


def _demand(
    source: ScenarioFile,
    scenario: Scenario,
    where: str,
    days: tuple[date, ...],
    calendar: WorkingCalendar,
    policy: Policy,
    received: Sequence[datetime] | None,
) -> DemandPlan:
    demand = source.demand
    surges = [(s.start, s.end, s.factor) for s in (*demand.surge, *scenario.surge)]
    factors = surge_factors(days, surges, scenario.demand_factor)
    if received is not None:
        if scenario.requests_per_working_day is not None:
            raise ScenarioError(
                f"{where}: requests_per_working_day = "
                f"{scenario.requests_per_working_day}: demand is resampled "
                f"from history; use demand_factor instead"
            )
        pools: HistoryPools = history_pools(received, calendar, policy.cutoff)
        return DemandPlan(factors, pools=pools)
    rate = scenario.requests_per_working_day
    if rate is None:
        rate = demand.requests_per_working_day
    return DemandPlan(factors, rate=rate)


def _sectors(workspace: Workspace) -> dict[str, str]:
    """Sector (case ignored) → its spelling, from facilitators and organisations."""
    found: dict[str, str] = {}
    for name in sorted(
        {f.sector for f in workspace.facilitators if f.sector}
        | {o.sector for o in workspace.organisations}
    ):
        found.setdefault(name.casefold(), name)
    return found


def _sector(sectors: dict[str, str], name: str, key: str) -> str:
    if name.casefold() not in sectors:
        raise ScenarioError(
            f"{key} = {name!r}: no such sector in the workspace (sectors: "
            f"{', '.join(sorted(sectors.values()))})"
        )
    return sectors[name.casefold()]


def _added(
    scenario: Scenario, where: str, workspace: Workspace, mix: CaseMix, sectors: dict[str, str]
) -> list[Facilitator]:
    added: list[Facilitator] = []
    for i, add in enumerate(scenario.add_facilitators):
        key = f"{where}: add_facilitators{_nth(i, len(scenario.add_facilitators))}"
        sector = _sector(sectors, add.sector, f"{key}.sector")
        if add.organisation:
            orgs = [add.organisation]
        else:
            own = sorted(
                {
                    f.organisation
                    for f in workspace.facilitators
                    if f.organisation and (f.sector or "").casefold() == sector.casefold()
                }
            )
            known = {normalise_org(o) for o in own}
            others = (
                [
                    o
                    for o in mix.organisations[mix.sector_index(sector)]
                    if normalise_org(o) not in known
                ]
                if sector in mix.sectors
                else []
            )
            orgs = own + others
            if not orgs:
                raise ScenarioError(
                    f"{key}.sector = {add.sector!r}: no organisation of this "
                    f'sector; give organisation = "…"'
                )
        slug = "".join(ch for ch in sector.casefold() if ch.isalnum())[:12] or "sector"
        for k in range(add.count):
            fid = f"NEW-{order_tag(i)}-{slug}-{k + 1}"
            added.append(
                Facilitator(
                    facilitator_id=fid,
                    name=f"New {sector} facilitator {k + 1}",
                    email=f"{fid.lower()}@new-facilitators.example",
                    organisation=orgs[k % len(orgs)],
                    sector=sector,
                    trained_on=add.on,
                    max_open=add.max_open,
                    can_lead=add.can_lead,
                )
            )
    return added


def order_tag(i: int) -> str:
    """A short tag for the i-th ``add_facilitators`` table (A, B, …)."""
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _removal(
    remove: RemoveFacilitators,
    key: str,
    workspace: Workspace,
    added: list[Facilitator],
    sectors: dict[str, str],
    days: tuple[date, ...],
) -> Removal:
    day = bisect.bisect_left(days, remove.on)
    pool = [*workspace.facilitators, *added]
    if remove.ids:
        known = {f.facilitator_id for f in pool}
        for fid in remove.ids:
            if fid not in known:
                raise ScenarioError(f"{key}.ids: {fid!r} is not a facilitator in the workspace")
        return Removal(day, None, len(remove.ids), tuple(remove.ids))
    count = remove.count or 0  # the file model makes sure there is a count without ids
    sector = None if remove.sector is None else _sector(sectors, remove.sector, f"{key}.sector")
    on_books = [
        f for f in pool if sector is None or (f.sector or "").casefold() == sector.casefold()
    ]
    if count > len(on_books):
        what = f"{sector} facilitators" if sector else "facilitators"
        raise ScenarioError(
            f"{key}.count = {remove.count}: the workspace has only {len(on_books)} {what}"
        )
    return Removal(day, sector, count)
