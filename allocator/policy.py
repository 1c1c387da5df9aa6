"""Partnership policies: every number a partnership could set differently.

A policy is TOML; presets ship for ``norfolk``, ``bedfordshire`` and
``cheshire-west``. A document may name a preset to start from with
``base = "norfolk"`` and override any field. Reading policy files is the
application's job (``jags.policies``); the engine parses text.
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from importlib import resources
from typing import Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from allocator.errors import PolicyError
from allocator.presets import PRESETS

__all__ = ["PRESETS", "Penalties", "Policy", "Preferences"]


class Penalties(BaseModel):
    """Soft-independence penalties (stage 3), per allocated facilitator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    same_sector: int = Field(default=3, ge=0)
    """Facilitator's sector equals a case-network organisation's sector (default 3)."""
    same_locality: int = Field(default=2, ge=0)
    """Facilitator's locality equals the request's locality (default 2)."""
    worked_alongside: int = Field(default=2, ge=0)
    """Facilitated an earlier JAGS with one of the participants (default 2)."""
    worked_alongside_months: int = Field(default=12, ge=0)
    """How far back "worked alongside" looks (default 12 months)."""
    same_sector_pair: int = Field(default=1, ge=0)
    """Co-facilitation: both facilitators from one sector (default 1)."""


class Preferences(BaseModel):
    """Stage 5 preference weights (higher is preferred)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specialism_match: int = Field(default=1, ge=0)
    """Request topic is one of the facilitator's specialisms (default 1)."""
    locality_in_person: int = Field(default=1, ge=0)
    """In-person request in the facilitator's own locality (default 1)."""
    named_facilitator: int = Field(default=2, ge=0)
    """A facilitator named without a rationale (a wish, not a pin; default 2)."""


class Policy(BaseModel):
    """A partnership's JAGS settings. Defaults are Norfolk's (procedure 3.16).

    All durations in working days count from the day named: allocate-by
    from day 0, the session window from the confirmation day.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "norfolk"
    partnership: str = "Norfolk Safeguarding Children Partnership"
    facilitators_per_request: Literal[1, 2] = 1
    """1, or 2 for co-facilitation (two organisations, one lead)."""
    require_lead: bool = False
    """Co-facilitation: one of the two is lead and must be lead-capable."""
    max_supervisees: int | None = Field(default=None, ge=1)
    """Most professionals in one session (requester + participants); flagged when over."""
    allocate_within_days: int = Field(default=2, ge=0)
    """Allocate-by is day 0 + this many working days (default 2)."""
    cutoff: time = time(17, 0)
    """Requests received at/after this local time count from the next working day."""
    closure_days: tuple[date, ...] = ()
    """Partnership closure days, not working days, besides bank holidays."""
    contact_days: int = Field(default=5, ge=0)
    """Working days from allocation to the facilitator's contact/confirmation (2–5)."""
    window_first_day: int = Field(default=10, ge=0)
    """Session window opens this many working days after confirmation (default 10)."""
    window_last_day: int = Field(default=15, ge=0)
    """Session window closes this many working days after confirmation (default 15)."""
    session_minutes: int = Field(default=90, ge=15)
    feedback_minutes: int = Field(default=5, ge=0)
    """Minutes kept at the end of each session for the feedback form (default 5)."""
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    start_grid_minutes: int = Field(default=15, ge=5)
    timezone: str = "Europe/London"
    """IANA zone of working hours, floating calendar times and invitations."""
    max_sessions_per_facilitator_per_day: int = Field(default=1, ge=1)
    options_per_request: int = Field(default=3, ge=1)
    gap_minutes: int = Field(default=15, ge=0)
    """Preferred gap between a session and an attendee's other meetings."""
    training_valid_months: int | None = Field(default=None, ge=1)
    """Training lapses after this many months when no expiry date is given."""
    chronologies_required: bool = False
    """Cheshire West: multi-agency chronologies are due before the session."""
    chronology_due_days: int = Field(default=2, ge=0)
    """Working days before the session the chronologies are due."""
    calendar_aware: bool = False
    """Skip facilitators with no free session slot in the expected window."""
    calendar_max_bytes: int = Field(default=20_000_000, ge=1)
    """Largest calendar export read, in bytes (default 20,000,000: 20 MB)."""
    calendar_max_components: int = Field(default=100_000, ge=1)
    """Most components (events, time zones, alarms) in one calendar export (default 100,000)."""
    penalties: Penalties = Penalties()
    preferences: Preferences = Preferences()
    time_limit_seconds: float = Field(default=60.0, gt=0)
    """Solver time limit for the whole allocation (default 60 s)."""
    retention_months: int = Field(default=72, ge=1)
    """Months after a request closes before ``jags purge`` removes its personal data
    (names, e-mails, case and family references); default 72 (six years). Set it to the
    partnership's own retention schedule."""
    max_open_limit: int = Field(default=50, ge=1, le=10_000)
    """Largest sensible ``max_open`` (and ``open_jags``) in facilitators.csv; a larger
    value is an input error naming the file, row and column (default 50)."""

    @field_validator("cutoff", "day_start", "day_end")
    @classmethod
    def _local_time(cls, value: time) -> time:
        if value.tzinfo is not None:  # e.g. a number, which pydantic reads as seconds in UTC
            raise ValueError("is not a local time of day such as 09:00")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a time zone name such as Europe/London") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.window_last_day < self.window_first_day:
            raise ValueError("window_last_day is before window_first_day")
        if self.day_end <= self.day_start:
            raise ValueError("day_end is not after day_start")
        if self.require_lead and self.facilitators_per_request != 2:
            raise ValueError("require_lead needs facilitators_per_request = 2")
        if self.feedback_minutes >= self.session_minutes:
            raise ValueError("feedback_minutes must be shorter than the session")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {self.timezone!r} is not an IANA time zone") from None
        return self

    @classmethod
    def preset(cls, name: str) -> Policy:
        """One of the shipped presets (``norfolk``, ``bedfordshire``, ``cheshire-west``)."""
        if name not in PRESETS:
            raise PolicyError(f"unknown policy {name!r}; presets: {', '.join(PRESETS)}")
        text = resources.files("allocator").joinpath(f"presets/{name}.toml").read_text("utf-8")
        return cls.from_toml(text, f"preset {name}")

    @classmethod
    def from_toml(cls, text: str, label: str = "policy") -> Policy:
        """A policy from TOML text; ``base = "<preset>"`` starts from a preset.

        Parameters
        ----------
        text
            The TOML document.
        label
            What to call it in error messages (the file name; default ``"policy"``).

        Raises
        ------
        PolicyError
            Not TOML, an unknown field or preset, or a value out of range.
        """
        try:
            data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{label}: not valid TOML ({exc})") from None
        base = data.pop("base", None)
        if base is not None:
            if base not in PRESETS:
                raise PolicyError(f"{label}: base {base!r} is not a preset")
            merged = cls.preset(base).model_dump()
            for key, value in data.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
            if "name" not in data:
                merged["name"] = f"{base} ({label})"
            data = merged
        return cls._validated(data, label)

    @classmethod
    def _validated(cls, data: dict[str, Any], label: str) -> Policy:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            parts = []
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "policy"
                message = str(err["msg"]).removeprefix("Value error, ")
                parts.append(f"{where}: {message}")
            raise PolicyError(f"{label}: " + "; ".join(parts)) from None

    def replace(self, **changes: Any) -> Policy:
        """A validated copy with ``changes`` applied (nested tables merged).

        Raises :class:`PolicyError` naming the bad field.
        """
        data = self.model_dump()
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return self._validated(data, f"policy {self.name}")
