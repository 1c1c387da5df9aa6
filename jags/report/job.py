"""The job behind ``jags report``: open the ledger, read organisations.csv, write nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allocator import InputError
from jags.report import Targets, read_ledger, report_files
from jags.report.definitions import RATES
from jags.report.kpis import DEFAULT_RATE_TARGET

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date
    from pathlib import Path


def parse_targets(items: Sequence[str]) -> Targets:
    """``KPI=SHARE`` items (e.g. ``allocated_by_deadline=0.95`` or ``=95%``) as targets."""
    rates = dict.fromkeys(RATES, DEFAULT_RATE_TARGET)
    for item in items:
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in RATES:
            raise InputError(f"--target: {name!r} is not one of {', '.join(RATES)}")
        text = value.strip()
        try:
            share = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        except ValueError:
            raise InputError(
                f"--target: {item!r} is not KPI=SHARE (e.g. allocated_by_deadline=0.95)"
            ) from None
        if not 0 <= share <= 1:
            raise InputError(f"--target: {item!r}: a share is from 0 to 1 (or 0% to 100%)")
        rates[name] = share
    return Targets(rates)


def organisations(workspace: Path) -> tuple[dict[str, str], str | None]:
    """Organisation → sector from the workspace's organisations.csv (and facilitators.csv).

    Returns the mapping and a warning when the workspace cannot be read (the
    report then knows only the facilitators' own organisations, from the ledger).
    """
    from jags.workspace import read_workspace

    if not workspace.exists():
        return {}, None
    try:
        files = read_workspace(workspace)
    except InputError:
        return {}, (
            "the workspace's files could not be read (jags allocate lists the "
            "problems): requesting organisations' sectors come from the facilitators "
            "only"
        )
    found = {f.organisation: f.sector for f in files.facilitators if f.organisation and f.sector}
    found.update({o.organisation: o.sector for o in files.organisations})
    return found, None


def run_report(
    workspace: Path,
    start: date,
    end: date,
    *,
    targets: Targets | None = None,
    publish: bool = False,
    db: str | None = None,
    partnership: str | None = None,
) -> tuple[dict[str, bytes], list[str]]:
    """``report.html`` and ``kpis.csv`` from the workspace's ledger, and any warnings."""
    from jags.daily import open_ledger
    from jags.locate import Where

    if end < start:
        raise InputError("--to is before --from")
    ledger = open_ledger(Where(workspace, db, partnership))
    try:
        data = read_ledger(ledger)
    finally:
        ledger.close()
    sectors, warning = organisations(workspace)
    files = report_files(data, start, end, organisations=sectors, targets=targets, publish=publish)
    return files, [warning] if warning else []
