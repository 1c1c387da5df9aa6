"""Scenario files: TOML read into validated, frozen models.

A scenario file holds one ``[base]`` (the workspace, the policy, the period),
one ``[demand]``, one ``[process]`` and any number of ``[[scenario]]``
tables, each a variation on the base (pool changes, seasonal leave, a demand
surge, another policy). Every problem is reported with the file, the key and
the value, as a :class:`ScenarioError` (an :class:`~allocator.InputError`,
so the command line ends with exit code 2).

Dates are native TOML dates (``start = 2027-01-04``, no quotes).
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from allocator import InputError
from jags.scenarios.dists import Delay, Fixed, Uniform, as_delay

__all__ = [
    "AddFacilitators",
    "Base",
    "Demand",
    "Process",
    "RemoveFacilitators",
    "Scenario",
    "ScenarioError",
    "ScenarioFile",
    "SeasonalLeave",
    "Surge",
    "load_scenario_file",
]


class ScenarioError(InputError):
    """A scenario file that cannot be used; the message names file, key and value."""


def _listify(value: object) -> object:
    """One table or an array of tables: both read as a list."""
    return [value] if isinstance(value, dict) else value


TomlDate = Annotated[date, Strict()]
"""A native TOML date: ``2027-01-04``, not ``"2027-01-04"``."""
DelayField = Annotated[Delay, BeforeValidator(as_delay)]


class _Table(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Base(_Table):
    """``[base]``: what every scenario starts from.

    Parameters
    ----------
    workspace
        Workspace folder or ``.xlsx`` (facilitators, leave, organisations,
        involvements, history), relative to the scenario file.
    policy
        A policy preset or a policy TOML file (default ``"norfolk"``).
    start
        First day of the period (the next working day when it is not one).
    working_days
        Length of the period in working days.
    seed
        Seed of every random draw (default 0); ``--seed`` overrides it.
    """

    workspace: Path
    policy: str = "norfolk"
    start: TomlDate
    working_days: int = Field(ge=1, le=5000)
    seed: int = Field(default=0, ge=0)


class Surge(_Table):
    """A change in demand from ``start`` to ``end`` (inclusive): arrivals × ``factor``."""

    start: TomlDate
    end: TomlDate
    factor: float = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class Demand(_Table):
    """``[demand]``: how requests arrive, and who is in their case networks.

    Parameters
    ----------
    requests_per_working_day
        Mean arrivals per working day (Poisson).
    from_ledger
        Resample arrivals from the ledger's received dates by weekday and month.
    history
        Resample arrivals from a CSV file with a ``received_at`` column (for
        example an earlier ``requests.csv``), by weekday and month; relative
        to the scenario file. Exactly one of the three is given.
    participants
        Professionals invited besides the requester (default uniform 2–5).
    follow_up_share
        Share of requests that follow up an earlier simulated JAGS and keep
        its facilitator (default 0).
    sector_mix
        Sector → weight for the requester's and participants' organisations
        (default: the mix in the workspace's requests and participants).
    people_per_organisation
        Professionals per organisation to draw from, so the same people meet
        facilitators again (default 4; the workspace's own people count).
    surge
        Changes in demand over date ranges (default none).
    """

    requests_per_working_day: float | None = Field(default=None, ge=0)
    from_ledger: bool = False
    history: Path | None = None
    participants: DelayField = Uniform(dist="uniform", low=2, high=5)
    follow_up_share: float = Field(default=0.0, ge=0, le=1)
    sector_mix: dict[str, float] | None = None
    people_per_organisation: int = Field(default=4, ge=1)
    surge: Annotated[tuple[Surge, ...], BeforeValidator(_listify)] = ()

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [
            self.requests_per_working_day is not None,
            self.from_ledger,
            self.history is not None,
        ]
        if sum(given) != 1:
            raise ValueError(
                "give exactly one of requests_per_working_day, from_ledger = true or history = FILE"
            )
        if self.sector_mix is not None and (
            any(w < 0 for w in self.sector_mix.values()) or sum(self.sector_mix.values()) <= 0
        ):
            raise ValueError("sector_mix weights must be 0 or more and not all 0")
        return self


class Process(_Table):
    """``[process]``: a JAGS's journey after allocation, in working days.

    A number is fixed; a table is a distribution (``uniform``,
    ``triangular``, ``poisson``, ``empirical``).

    Parameters
    ----------
    contact
        Allocation to the facilitator's contact (default uniform 1–5). At
        contact the facilitator may decline (the request returns to the queue
        with its allocate-by, that facilitator excluded) or step down.
    confirm
        Contact to confirmation (default 1).
    session
        Confirmation to the session being held (default uniform 10–15);
        holding it releases the load.
    decline_rate
        Chance that each allocated facilitator declines (default 0.05).
    step_down_rate
        Chance that facilitator and requester agree another route at
        contact (default 0.10).
    """

    contact: DelayField = Uniform(dist="uniform", low=1, high=5)
    confirm: DelayField = Fixed(value=1)
    session: DelayField = Uniform(dist="uniform", low=10, high=15)
    decline_rate: float = Field(default=0.05, ge=0, le=1)
    step_down_rate: float = Field(default=0.10, ge=0, le=1)


class RemoveFacilitators(_Table):
    """Facilitators who leave on ``on``: ``count`` of ``sector`` (any sector when
    omitted), chosen at random in each replication, or the listed ``ids``.
    They finish the JAGS they already hold."""

    sector: str | None = None
    count: int | None = Field(default=None, ge=1)
    ids: tuple[str, ...] = ()
    on: TomlDate

    @model_validator(mode="after")
    def _who(self) -> Self:
        if (self.count is None) == (not self.ids):
            raise ValueError("give count (with an optional sector) or ids")
        if self.ids and self.sector is not None:
            raise ValueError("give ids or a sector, not both")
        return self


class AddFacilitators(_Table):
    """``count`` newly trained facilitators of ``sector``, available from ``on``.

    Their organisation is ``organisation``, else the sector's organisations in
    turn (facilitators' organisations first).
    """

    sector: str = Field(min_length=1)
    count: int = Field(ge=1)
    max_open: int = Field(default=2, ge=1)
    on: TomlDate
    organisation: str | None = None
    can_lead: bool = True


class SeasonalLeave(_Table):
    """Leave from ``start`` to ``end`` for ``count`` (or a ``share``) of the
    facilitators of ``sector`` (all sectors when omitted), chosen at random
    in each replication."""

    sector: str | None = None
    count: int | None = Field(default=None, ge=1)
    share: float | None = Field(default=None, gt=0, le=1)
    start: TomlDate
    end: TomlDate

    @model_validator(mode="after")
    def _who(self) -> Self:
        if (self.count is None) == (self.share is None):
            raise ValueError("give count or share")
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class Scenario(_Table):
    """``[[scenario]]``: one variation on the base.

    Parameters
    ----------
    name
        Unique name, used in the results.
    policy
        Another policy preset or file for this scenario (default: the base's).
    policy_settings
        Policy fields changed for this scenario (e.g. ``{allocate_within_days = 3}``).
    process
        ``[process]`` fields changed for this scenario.
    requests_per_working_day
        Another arrival rate (Poisson demand only).
    demand_factor
        Arrivals × this factor over the whole period (default 1).
    surge, remove_facilitators, add_facilitators, leave
        One table or an array of tables each (default none).
    """

    name: str = Field(min_length=1)
    policy: str | None = None
    policy_settings: dict[str, Any] = Field(default_factory=dict)
    process: dict[str, Any] = Field(default_factory=dict)
    requests_per_working_day: float | None = Field(default=None, ge=0)
    demand_factor: float = Field(default=1.0, ge=0)
    surge: Annotated[tuple[Surge, ...], BeforeValidator(_listify)] = ()
    remove_facilitators: Annotated[tuple[RemoveFacilitators, ...], BeforeValidator(_listify)] = ()
    add_facilitators: Annotated[tuple[AddFacilitators, ...], BeforeValidator(_listify)] = ()
    leave: Annotated[tuple[SeasonalLeave, ...], BeforeValidator(_listify)] = ()


class ScenarioFile(_Table):
    """A whole scenario file. Paths are resolved against ``folder``.

    Use :meth:`read` for a file and :meth:`from_toml` for text.
    """

    base: Base
    demand: Demand
    process: Process = Process()
    scenario: tuple[Scenario, ...] = Field(min_length=1)
    _label: str = PrivateAttr(default="scenarios")
    _folder: Path = PrivateAttr(default_factory=Path.cwd)

    @property
    def label(self) -> str:
        """The file's name, for messages."""
        return self._label

    @property
    def folder(self) -> Path:
        """Where the file's relative paths start."""
        return self._folder

    @field_validator("scenario")
    @classmethod
    def _unique_names(cls, value: tuple[Scenario, ...]) -> tuple[Scenario, ...]:
        seen: set[str] = set()
        for s in value:
            if s.name in seen:
                raise ValueError(f"two scenarios are named {s.name!r}")
            seen.add(s.name)
        return value

    @classmethod
    def read(cls, path: str | Path) -> ScenarioFile:
        """Read and validate a scenario file.

        Raises
        ------
        ScenarioError
            The file cannot be read, is not TOML, or has a bad key or value.
        """
        path = Path(path)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            raise ScenarioError(f"{path}: scenario file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: cannot read ({exc.__class__.__name__})") from None
        return cls.from_toml(text, label=path.name, folder=path.resolve().parent)

    @classmethod
    def from_toml(
        cls, text: str, *, label: str = "scenarios", folder: Path | None = None
    ) -> ScenarioFile:
        """A scenario file from TOML text.

        Parameters
        ----------
        text
            The TOML document.
        label
            The file's name, for messages (default ``"scenarios"``).
        folder
            Where relative paths start (default: the current folder).
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{label}: not valid TOML ({exc})") from None
        return cls.from_dict(data, label=label, folder=folder)

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, label: str = "scenarios", folder: Path | None = None
    ) -> ScenarioFile:
        """A scenario file from already-parsed TOML (as :func:`tomllib.loads` gives)."""
        return cls._validated(data, label, folder or Path.cwd())

    @classmethod
    def _validated(cls, data: dict[str, Any], label: str, folder: Path) -> ScenarioFile:
        try:
            made = cls.model_validate(data)
        except ValidationError as exc:
            lines = [_describe(err, data) for err in exc.errors()]
            raise ScenarioError("\n".join(f"{label}: {line}" for line in lines)) from None
        made._label = label
        made._folder = folder
        return made

    def path(self, relative: Path) -> Path:
        """A path from the file, resolved against the file's folder."""
        return relative if relative.is_absolute() else self.folder / relative

    def replace(self, **changes: Any) -> ScenarioFile:
        """A validated copy with some tables replaced, each given as a model, a
        dict or (for ``scenario``) a list of them: ``replace(scenario=[...])``
        keeps the base, demand and process and swaps the scenarios."""
        data = self.model_dump(by_alias=True)
        for key, value in changes.items():
            data[key] = _plain(value)
        return self._validated(data, self.label, self.folder)


def _plain(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def load_scenario_file(path: str | Path) -> ScenarioFile:
    """Read a scenario file (see :meth:`ScenarioFile.read`)."""
    return ScenarioFile.read(path)


# Messages ------------------------------------------------------------------

_TAGS = frozenset({"fixed", "uniform", "triangular", "poisson", "empirical"})


_DELAYS = frozenset({"contact", "confirm", "session", "participants"})


def _describe(err: Any, data: dict[str, Any]) -> str:
    """``key = value: what is wrong``, with a scenario's number and name."""
    loc = list(err["loc"])
    where = ""
    parts: list[str] = []
    node: Any = data
    for i, step in enumerate(loc):
        if (
            isinstance(step, str)
            and step in _TAGS
            and isinstance(node, dict)
            and node.get("dist") == step
        ):
            continue  # the distribution's tag that pydantic adds to the path
        if isinstance(step, int):
            if loc[i - 1] == "scenario" and i == 1 and isinstance(node, list):
                name = (
                    node[step].get("name")
                    if step < len(node) and isinstance(node[step], dict)
                    else None
                )
                where = f"scenario {step + 1}" + (f" ({_toml(name)})" if name else "") + ": "
                parts = []
            elif isinstance(node, list) and len(node) > 1:
                parts[-1] += f"[{step + 1}]"
        else:
            parts.append(str(step))
        node = _child(node, step)
    key = where + (".".join(parts) or "file")
    kind = err["type"]
    if kind == "missing":
        return f"{key}: missing"
    if kind == "extra_forbidden":
        return f"{key}: unknown key"
    message = str(err["msg"]).removeprefix("Value error, ").removeprefix("Input ")
    if kind in ("date_type", "date_parsing", "date_from_datetime_inexact"):
        message = "must be a TOML date such as 2027-01-04 (no quotes, no time)"
    elif kind == "union_tag_not_found":
        message = "needs dist = " + ", ".join(sorted(_TAGS))
    elif kind == "union_tag_invalid":
        message = "dist must be one of " + ", ".join(sorted(_TAGS))
    elif (
        kind in ("model_attributes_type", "dict_type", "model_type")
        and parts
        and parts[-1] in _DELAYS
    ):
        message = (
            "must be a whole number of working days or a table such as "
            '{dist = "uniform", low = 1, high = 5}'
        )
    value = _toml(err.get("input"))
    if len(value) > 80:  # a whole table: the message says what is wrong with it
        return f"{key}: {message}"
    return f"{key} = {value}: {message}"


def _child(node: Any, step: str | int) -> Any:
    if isinstance(node, dict) and isinstance(step, str):
        return node.get(step)
    if isinstance(node, dict) and isinstance(step, int):
        return node  # a single table read as a list of one
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return node[step]
    return None


def _toml(value: object) -> str:
    """A value as it would be written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)
