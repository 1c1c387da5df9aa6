"""What-if simulation benchmark: one simulated Norfolk year, and a 10 × 100 sweep.

1. One replication of a Norfolk year (the sample workspace, 250 working days,
   1 request a working day: about 250 requests) in this process on one
   core, with the engine's explanations off (as the simulation runs) and on,
   side by side; plus the whole ``jags scenarios run -n 1`` command.
   The same 10 scenarios as the sweep, a few replications each, simulated with and
   without the allocation engine's small-batch shortcuts, side by side, and checked
   identical (every request's events, every measure, day by day).
2. A sweep of 10 scenarios × 100 replications with ``jags scenarios run
   --workers 2`` on this machine, end to end; and, side by side in the same
   run, 10 scenarios × 10 replications with 1 and with 2 workers.

Time per simulated day = wall time ÷ (scenarios × replications × working days).
"""

from __future__ import annotations

import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from allocator import flow
from benchmarks.measure import with_bytecode
from jags.scenarios.config import ScenarioFile
from jags.scenarios.prepare import prepare
from jags.scenarios.seeds import replication_seeds
from jags.scenarios.simulation import Simulation

if TYPE_CHECKING:
    from collections.abc import Iterator

    from jags.scenarios.measures import Outcome

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
JAGS = Path(sys.executable).parent / "jags"
DAYS = 250
YEAR_TARGET_S = 1.0
SWEEP_TARGET_S = 180.0

BASE = f"""[base]
workspace = "{SAMPLE.as_posix()}"
policy = "norfolk"
start = 2027-01-04
working_days = {DAYS}
[demand]
requests_per_working_day = 1.0
[process]
contact = {{dist = "uniform", low = 1, high = 5}}
confirm = 1
session = {{dist = "uniform", low = 10, high = 15}}
decline_rate = 0.05
step_down_rate = 0.10
"""

SWEEP = """[[scenario]]
name = "baseline"
[[scenario]]
name = "health -5"
remove_facilitators = {sector = "Health", count = 5, on = 2027-03-01}
[[scenario]]
name = "police -3"
remove_facilitators = {sector = "Police", count = 3, on = 2027-03-01}
[[scenario]]
name = "train 4 police"
add_facilitators = {sector = "Police", count = 4, max_open = 2, on = 2027-02-01}
[[scenario]]
name = "train 4 health"
add_facilitators = {sector = "Health", count = 4, max_open = 2, on = 2027-02-01}
[[scenario]]
name = "winter surge +50 %"
surge = {start = 2027-01-11, end = 2027-03-05, factor = 1.5}
[[scenario]]
name = "summer leave 20 %"
leave = {share = 0.2, start = 2027-07-26, end = 2027-08-27}
[[scenario]]
name = "demand +25 %"
demand_factor = 1.25
[[scenario]]
name = "declines 10 %"
process = {decline_rate = 0.10}
[[scenario]]
name = "slower contact"
process = {contact = {dist = "uniform", low = 3, high = 8}}
"""


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measure(command: list[str]) -> dict[str, float]:
    """Wall time and peak memory (benchmarks.measure), and the CPU seconds of the
    command and every process it started (on a shared machine, CPU time shows
    what the work costs when wall time is stretched by other load)."""
    before = _cpu()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", "--", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout)
    if result["returncode"] != 0:
        raise RuntimeError(f"{command[0]} failed: {result['stderr']}")
    result["cpu"] = _cpu() - before
    return result


def one_year(folder: Path, repeats: int = 5) -> dict[str, float]:
    """A Norfolk year, one replication at a time, explanations off and on (CPU time
    of this process, one core, and wall time)."""
    path = folder / "year.toml"
    path.write_text(BASE + '[[scenario]]\nname = "baseline"\n', encoding="utf-8")
    [model] = prepare(ScenarioFile.read(path))
    seeds = replication_seeds(1, repeats)
    Simulation(model, seeds[0]).run()  # warm: imports, the calendar's holiday table
    times: dict[bool, list[float]] = {False: [], True: []}
    walls: list[float] = []
    requests, batches = [], []
    for r in range(repeats):
        for explain in (False, True):
            sim = Simulation(model, seeds[r], r, explain=explain)
            start, wall = time.process_time(), time.perf_counter()
            outcome = sim.run()
            times[explain].append(time.process_time() - start)
            if not explain:
                walls.append(time.perf_counter() - wall)
        requests.append(outcome.kpis["requests"])
        batches.append(sim.batches)
    command = _measure(
        [str(JAGS), "scenarios", "run", str(path), "-n", "1", "--out", str(folder / "year.csv")]
    )
    return {
        "seconds": statistics.median(times[False]),
        "wall": statistics.median(walls),
        "explained": statistics.median(times[True]),
        "requests": statistics.mean(requests),
        "batches": statistics.mean(batches),
        "command": command["seconds"],
        "command_mib": command["peak_mib"],
    }


@contextlib.contextmanager
def _shortcuts(on: bool) -> Iterator[None]:
    """The flow solver with its small-batch shortcuts (the default) or without them."""
    default = flow.SMALL_BATCH_CELLS
    flow.SMALL_BATCH_CELLS = default if on else -1
    try:
        yield
    finally:
        flow.SMALL_BATCH_CELLS = default


def _fingerprint(outcome: Outcome) -> str:
    """Everything a replication measured, as text (so NaN equals NaN)."""
    daily = outcome.daily
    assert daily is not None
    return json.dumps(
        [
            outcome.kpis,
            outcome.events,
            daily.backlog.tolist(),
            daily.on_time.tolist(),
            daily.load.tolist(),
        ],
        sort_keys=True,
    )


def shortcuts(folder: Path, replications: int = 3) -> dict[str, float]:
    """The sweep's scenarios simulated with and without the engine's small-batch
    shortcuts, side by side: CPU seconds of each, and whether every allocation (each
    request's events, every measure, day by day) is the same."""
    path = folder / "sweep.toml"
    path.write_text(BASE + SWEEP, encoding="utf-8")
    models = prepare(ScenarioFile.read(path))
    seeds = replication_seeds(7, replications)
    found: dict[bool, list[str]] = {}
    seconds: dict[bool, float] = {}
    for on in (True, False):
        with _shortcuts(on):
            start = time.process_time()
            found[on] = [
                _fingerprint(Simulation(m, seeds[r], r, daily=True, trace=True).run())
                for m in models
                for r in range(replications)
            ]
            seconds[on] = time.process_time() - start
    return {
        "with": seconds[True],
        "without": seconds[False],
        "runs": len(found[True]),
        "same": float(found[True] == found[False]),
    }


def sweep(folder: Path, replications: int, workers: int) -> dict[str, float]:
    """``jags scenarios run`` on the 10-scenario file, end to end."""
    path = folder / "sweep.toml"
    path.write_text(BASE + SWEEP, encoding="utf-8")
    out = folder / f"sweep-{replications}-{workers}.parquet"
    result = _measure(
        [
            str(JAGS),
            "scenarios",
            "run",
            str(path),
            "-n",
            str(replications),
            "--workers",
            str(workers),
            "--out",
            str(out),
        ]
    )
    result["days"] = 10 * replications * DAYS
    return result


def main() -> dict[str, object]:
    with_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        year = one_year(folder)
        check = shortcuts(folder)
        small_1 = sweep(folder, 10, 1)
        small_2 = sweep(folder, 10, 2)
        full = sweep(folder, 100, 2)
    per_day_ms = 1000 * year["seconds"] / DAYS
    year_ok = "met" if year["seconds"] < YEAR_TARGET_S else "MISSED"
    sweep_ok = "met" if full["seconds"] < SWEEP_TARGET_S else "MISSED"
    speedup = small_1["seconds"] / small_2["seconds"]
    lines = [
        "What-if simulation (jags scenarios), Norfolk policy, sample workspace, "
        f"{DAYS} working days, 1 request a working day",
        f"One simulated year, one replication, one core: {year['seconds']:.2f} s CPU "
        f"(target < {YEAR_TARGET_S:.0f} s: {year_ok}; wall {year['wall']:.2f} s)"
        f"; {year['requests']:.0f} requests, engine run on {year['batches']:.0f} of {DAYS} days; "
        f"{per_day_ms:.2f} ms per simulated day",
        f"  same year with the engine's explanations on: {year['explained']:.2f} s "
        f"(explanations off is {year['explained'] / year['seconds']:.2f}× faster)",
        f"  the engine's small-batch shortcuts: {check['runs']:.0f} replications of the "
        f"10 scenarios simulated with them in {check['with']:.1f} s CPU and without them in "
        f"{check['without']:.1f} s ({check['without'] / check['with']:.2f}×); every "
        f"request's events and every measure {'identical' if check['same'] else 'DIFFER'}",
        f"  whole command `jags scenarios run -n 1` (start-up, read, simulate, write): "
        f"{year['command']:.2f} s, {year['command_mib']:.0f} MiB peak",
        f"Sweep 10 scenarios × 10 replications: 1 worker {small_1['seconds']:.1f} s, "
        f"2 workers {small_2['seconds']:.1f} s (2 workers {speedup:.2f}× faster; CPU "
        f"{small_1['cpu']:.1f} s and {small_2['cpu']:.1f} s)",
        f"Sweep 10 scenarios × 100 replications, 2 workers: {full['seconds']:.1f} s "
        f"(target < {SWEEP_TARGET_S:.0f} s: {sweep_ok})"
        f", {1000 * full['seconds'] / full['days']:.2f} ms per simulated day "
        f"({full['days']:,.0f} days), {full['peak_mib']:.0f} MiB peak; CPU {full['cpu']:.0f} s "
        f"in all processes ({1000 * full['cpu'] / full['days']:.2f} ms per simulated day)",
    ]
    print("\n".join(lines), flush=True)
    return {"year": year, "shortcuts": check, "small_1": small_1, "small_2": small_2, "full": full}


if __name__ == "__main__":
    main()
