"""Make the README's what-if plot: ``python docs/what_if_plot.py [REPLICATIONS]``.

Runs the capacity question of ``notebooks/what_if_capacity.ipynb`` (3.5 requests
a working day on the sample partnership; 2, 4 or 6 new facilitators in one of
three sectors) and writes ``docs/what-if-capacity.png``. The same replications
and seed always give the same picture.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from jags import charts
from jags.scenarios import Scenario, ScenarioFile, simulate

HERE = Path(__file__).resolve().parent
SECTORS = ("Police", "Health", "Education")


def main(replications: int = 20) -> Path:
    plan = ScenarioFile.read(HERE.parent / "notebooks" / "scenarios" / "capacity.toml")
    options = [Scenario(name="today")] + [
        Scenario(
            name=f"+{n} {sector}",
            add_facilitators={"sector": sector, "count": n, "max_open": 2, "on": plan.base.start},
        )
        for sector in SECTORS
        for n in (2, 4, 6)
    ]
    results = simulate(plan.replace(scenario=options), replications=replications, workers=2)
    levels = pd.DataFrame(
        [{"scenario": "today", "sector": s, "added": 0} for s in SECTORS]
        + [
            {
                "scenario": o.name,
                "sector": o.add_facilitators[0].sector,
                "added": o.add_facilitators[0].count,
            }
            for o in options[1:]
        ]
    )
    trend = results.summary().merge(levels, on="scenario")
    fig = charts.kpi_trend_chart(
        trend,
        "pct_allocated_by_deadline",
        "added",
        hue="sector",
        target=95,
        xlabel="facilitators trained",
    )
    path = HERE / "what-if-capacity.png"
    charts.save(fig, path)
    return path


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
