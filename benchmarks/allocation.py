"""Allocation benchmark: ``jags allocate`` end to end against a plain min-cost-flow script.

For each size the same generated workspace (CSV files) is given to both, in
the same run: the full ``jags allocate`` command (read, every stage proven
optimal, explanations, write) and ``benchmarks/baseline_mcf.py``. In-process
per-stage times come from one more ``allocate`` call.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from allocator import Policy, allocate
from jags.generate import generate_workspace, write_workspace
from jags.workspace import read_workspace

SIZES = ((50, 20), (500, 100), (2000, 400))
ON = date(2026, 11, 20)
JAGS = Path(sys.executable).parent / "jags"


@dataclass
class Row:
    requests: int
    facilitators: int
    ours_s: float
    ours_mib: float
    baseline_s: float
    baseline_mib: float
    read_s: float
    stages: dict[str, float]
    allocated: int
    baseline_allocated: int


def _measure(command: list[str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.measure", "--", *command],
                          capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    if result["returncode"] != 0:
        raise RuntimeError(f"{command[0]} failed: {result['stderr']}")
    return result


def run_size(n_requests: int, n_facilitators: int, seed: int = 1) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        write_workspace(generate_workspace(n_requests, n_facilitators, seed=seed), folder)
        ours = _measure([str(JAGS), "allocate", str(folder), "--on", ON.isoformat(),
                         "--out", str(Path(tmp) / "ours")])
        base = _measure([sys.executable, "-m", "benchmarks.baseline_mcf", str(folder),
                         ON.isoformat(), str(Path(tmp) / "baseline.csv")])
        start = time.perf_counter()
        workspace = read_workspace(folder)
        read_s = time.perf_counter() - start
        result = allocate(workspace, Policy.preset("norfolk"), on=ON)
        baseline_rows = (Path(tmp) / "baseline.csv").read_text().splitlines()[1:]
        return Row(n_requests, n_facilitators, ours["seconds"], ours["peak_mib"],
                   base["seconds"], base["peak_mib"], read_s,
                   {str(s.stage): s.seconds for s in result.stages},
                   len(result.chosen), sum(1 for line in baseline_rows if not line.endswith(",")))


def report(rows: list[Row]) -> str:
    lines = ["Allocation: jags allocate (read, 6 stages proven optimal, explanations, write) "
             "vs plain Python min-cost flow (networkx), same files, same run",
             f"{'size':>11} {'jags s':>8} {'MiB':>6} {'baseline s':>10} {'MiB':>6} "
             f"{'baseline/jags':>13} {'allocated':>9} {'baseline':>8}"]
    for r in rows:
        lines.append(f"{r.requests:>5}×{r.facilitators:<5} {r.ours_s:8.2f} {r.ours_mib:6.0f} "
                     f"{r.baseline_s:10.2f} {r.baseline_mib:6.0f} "
                     f"{r.baseline_s / r.ours_s:12.1f}× {r.allocated:9d} "
                     f"{r.baseline_allocated:8d}")
    lines.append("Per-stage solve seconds (in process):")
    for r in rows:
        stages = ", ".join(f"{k}={v:.3f}" for k, v in r.stages.items())
        lines.append(f"  {r.requests}×{r.facilitators}: read={r.read_s:.2f}, {stages}")
    return "\n".join(lines)


def main() -> list[Row]:
    rows = [run_size(n, m) for n, m in SIZES]
    print(report(rows), flush=True)
    return rows


if __name__ == "__main__":
    main()
