"""The QA and KPI report from the ledger: ``report.html`` and ``kpis.csv``.

:func:`read_ledger` (:mod:`jags.report.query`, the only module here that
touches the database) gives tidy tables; :func:`compute`
(:mod:`jags.report.kpis`, from :mod:`.journeys`, :mod:`.rates` and :mod:`.measures`;
each KPI in words in :mod:`.definitions`) the KPIs as pure functions over them;
:mod:`.charts` draws them; :mod:`.page` writes the self-contained page from the
sections in :mod:`.run_charts` and :mod:`.sections`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from jags.csv_output import csv_bytes
from jags.report.definitions import DEFINITIONS
from jags.report.kpis import KPI_COLUMNS, Results, Targets, compute
from jags.report.markup import SMALL
from jags.report.page import Page
from jags.report.query import LedgerData, read_ledger

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

__all__ = [
    "DEFINITIONS",
    "KPI_COLUMNS",
    "LedgerData",
    "Results",
    "Targets",
    "compute",
    "kpis_csv",
    "read_ledger",
    "report_files",
]

EXEMPT = ("utilisation", "facilitator_pool")
"""KPIs that count facilitator-days and places, not requests or people: never suppressed."""


def _number(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)  # type: ignore[arg-type]
    if number.is_integer():
        return str(int(number))
    return f"{number:.4f}".rstrip("0").rstrip(".")


def kpis_csv(results: Results, *, publish: bool = False) -> bytes:
    """``kpis.csv``: kpi, period, numerator, denominator, value, target.

    With ``publish``, counts from 1 to 4 are written as ``<5`` and the value
    computed from them is left empty (facilitator utilisation and places are
    not counts of people and are never suppressed).
    """
    rows = []
    for row in results.kpis.itertuples(index=False):
        num, den, value = _number(row.numerator), _number(row.denominator), _number(row.value)
        if publish and not str(row.kpi).startswith(EXEMPT):
            small = [
                c for c in (row.numerator, row.denominator) if not math.isnan(c) and 0 < c < SMALL
            ]
            if small:
                value = (
                    ""
                    if not str(row.kpi).startswith(
                        ("open_backlog", "requests_received", "feedback_responses")
                    )
                    or row.kpi.startswith("open_backlog_age")
                    else f"<{SMALL}"
                )
                num = f"<{SMALL}" if num and 0 < float(num) < SMALL else num
                den = f"<{SMALL}" if den and 0 < float(den) < SMALL else den
        rows.append((row.kpi, row.period, num, den, value, _number(row.target)))
    return csv_bytes(KPI_COLUMNS, rows)


def report_files(
    data: LedgerData,
    start: date,
    end: date,
    *,
    organisations: Mapping[str, str] | None = None,
    targets: Targets | None = None,
    publish: bool = False,
) -> dict[str, bytes]:
    """``report.html`` and ``kpis.csv`` for ``start`` to ``end`` (both included).

    Parameters
    ----------
    data
        The ledger's tables.
    organisations
        Organisation → sector from organisations.csv (default none).
    targets
        Default :class:`Targets` ().
    publish
        Suppress counts under 5 (default ``False``).
    """
    results = compute(data, start, end, organisations=organisations, targets=targets)
    page = Page(results, data.policy, data.partnership, publish=publish)
    return {
        "report.html": page.html().encode("utf-8"),
        "kpis.csv": kpis_csv(results, publish=publish),
    }
