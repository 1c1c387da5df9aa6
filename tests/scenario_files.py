"""Small workspaces and scenario files for the what-if tests (not a test module)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from allocator import Facilitator, Organisation, Workspace
from jags.generate import write_workspace

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


def independent_workspace(
    folder: Path, n: int = 6, max_open: int = 4, *, sectors: tuple[str, ...] = ("Health", "Police")
) -> Path:
    """``n`` facilitators, each in an organisation of its own in the sector
    "Independent", and case-network organisations in ``sectors`` that no
    facilitator belongs to: with ``sector_mix`` on those sectors every
    facilitator is eligible for every request."""
    facilitators = tuple(
        Facilitator(
            facilitator_id=f"F{i:02d}",
            name=f"Facilitator {i}",
            email=f"f{i}@independent.example",
            organisation=f"Independent {i}",
            sector="Independent",
            trained_on=date(2025, 1, 1),
            max_open=max_open,
        )
        for i in range(1, n + 1)
    )
    organisations = tuple(
        Organisation(organisation=f"{sector} Agency {k}", sector=sector)
        for sector in sectors
        for k in (1, 2, 3)
    )
    write_workspace(Workspace(facilitators=facilitators, organisations=organisations), folder)
    return folder


def scenario_file(
    folder: Path,
    workspace: Path,
    *,
    rate: float = 1.0,
    days: int = 60,
    process: str = "",
    scenarios: str = '[[scenario]]\nname = "baseline"\n',
    demand: str = "",
    policy: str = "norfolk",
    name: str = "what-if.toml",
) -> Path:
    """A scenario file in ``folder`` (the workspace path written relative to it)."""
    text = (
        f'[base]\nworkspace = "{workspace.as_posix()}"\npolicy = "{policy}"\n'
        f"start = 2027-01-04\nworking_days = {days}\n\n"
        f"[demand]\nrequests_per_working_day = {rate}\n{demand}\n"
        f"[process]\n{process}\n{scenarios}"
    )
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


FIXED_CYCLE = "contact = 1\nconfirm = 1\nsession = 10\ndecline_rate = 0\nstep_down_rate = 0\n"
"""A journey of exactly 12 working days from allocation to the session held."""

INDEPENDENT_MIX = "sector_mix = {Health = 1, Police = 1}\n"
