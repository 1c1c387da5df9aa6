"""Allocation benchmark: ``jags allocate`` now and in the previous release, side by side.

For each size one generated workspace (CSV files) is given, in the same run,
to the previous release's whole ``jags allocate`` command (built once into
``.bench/``, see :mod:`benchmarks.release`) and to this version's; each is
timed as a whole process with its peak memory. A run whose memory passes
its limit is stopped and reported as not fitting. ``jags --help`` is timed
the same way. Then :mod:`benchmarks.identity` checks that ``allocations.csv``
has not changed from the starting point.

``python -m benchmarks.allocation [--full]``: the quick sizes by default;
``--full`` adds 10,000 × 2,000 and 20,000 × 4,000 (the previous release
needs about 8 GiB and two minutes at the first and does not fit at the
second).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.measure import with_bytecode
from benchmarks.release import CACHE, PREVIOUS_RELEASE, Release, release
from jags.generate import generate_workspace, write_workspace

QUICK = ((500, 100), (2000, 400), (5000, 1000))
FULL = (*QUICK, (10000, 2000), (20000, 4000))
ON = date(2026, 11, 20)
JAGS = Path(sys.executable).parent / "jags"
REPEATS = 3
REPEAT_UP_TO = 2000
"""Sizes up to this many requests take a second or so a run: each version runs
:data:`REPEATS` times, in turn, and the median run is shown (one run above it)."""
LIMIT_GIB = {"before": 10.0, "after": 8.0}
"""Memory each run may take before it is stopped (the targets: 20,000 × 4,000 in 8 GiB)."""


@dataclass
class Run:
    seconds: float
    peak_mib: float
    fits: bool


@dataclass
class Row:
    requests: int
    facilitators: int
    before: Run
    after: Run
    explanation_rows: int


def measure(command: list[str], limit_gib: float | None = None) -> Run:
    """One whole-process run: wall seconds and peak resident memory."""
    limit = ["--limit-gib", str(limit_gib)] if limit_gib else []
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", *limit, "--", *command],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    if result["over_limit"]:
        return Run(result["seconds"], result["peak_mib"], False)
    if result["returncode"] != 0:
        raise RuntimeError(f"{command[0]} failed: {result['stderr']}")
    return Run(result["seconds"], result["peak_mib"], True)


def _median(runs: list[Run]) -> Run:
    """The run of median time (its own peak memory with it)."""
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def allocate_command(jags: Path, folder: Path, out: Path) -> list[str]:
    return [str(jags), "allocate", str(folder), "--on", ON.isoformat(), "--out", str(out)]


def run_size(n_requests: int, n_facilitators: int, old: Release, seed: int = 1) -> Row:
    """Both versions on one generated workspace; outputs are removed afterwards."""
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        folder = Path(tmp) / "ws"
        folder.mkdir()
        write_workspace(generate_workspace(n_requests, n_facilitators, seed=seed), folder)
        runs: dict[str, list[Run]] = {"before": [], "after": []}
        for _ in range(REPEATS if n_requests <= REPEAT_UP_TO else 1):  # in turn: A B A B …
            for name, jags in (("before", old.jags), ("after", JAGS)):
                target = Path(tmp) / name
                shutil.rmtree(target, ignore_errors=True)
                runs[name].append(measure(allocate_command(jags, folder, target), LIMIT_GIB[name]))
        before, after = _median(runs["before"]), _median(runs["after"])
        with (Path(tmp) / "after" / "explanations.csv").open("rb") as handle:
            rows = sum(1 for _ in handle) - 1
        return Row(n_requests, n_facilitators, before, after, rows)


def help_seconds(jags: Path, runs: int = 5) -> float:
    """Median seconds of ``jags --help`` as a whole process."""
    return statistics.median(measure([str(jags), "--help"]).seconds for _ in range(runs))


def _cell(run: Run, limit: float) -> str:
    if not run.fits:
        return f"does not fit in {limit:g} GiB"
    return f"{run.seconds:7.2f} s {run.peak_mib:7.0f} MiB"


def report(rows: list[Row], help_before: float, help_after: float) -> str:
    lines = [
        f"Allocation: whole `jags allocate` processes (read, six stages proven optimal, "
        f"reasons, explanations, write), previous release {PREVIOUS_RELEASE} and now, "
        f"same files, same run; up to {REPEAT_UP_TO:,} requests the median of {REPEATS} runs "
        "each, taken in turn",
        "| requests × facilitators | before: time, peak | after: time, peak "
        "| time before ÷ after | explanation rows after |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = (
            f"{r.before.seconds / r.after.seconds:.1f}×" if r.before.fits and r.after.fits else "—"
        )
        lines.append(
            f"| {r.requests:,} × {r.facilitators:,} "
            f"| {_cell(r.before, LIMIT_GIB['before'])} "
            f"| {_cell(r.after, LIMIT_GIB['after'])} | {ratio} "
            f"| {r.explanation_rows:,} |"
        )
    lines.append(
        "Growth after (seconds per 1,000 requests): "
        + ", ".join(f"{r.requests:,}: {1000 * r.after.seconds / r.requests:.2f}" for r in rows)
    )
    lines.append(
        f"`jags --help` (median of 5): before {help_before:.2f} s, after {help_after:.2f} s"
    )
    return "\n".join(lines)


def main(full: bool = False) -> list[Row]:
    with_bytecode()
    old = release(PREVIOUS_RELEASE)
    rows = []
    for n, m in FULL if full else QUICK:
        rows.append(run_size(n, m, old))
        print(f"  measured {n:,} × {m:,}", file=sys.stderr, flush=True)
    print(report(rows, help_seconds(old.jags), help_seconds(JAGS)), flush=True)
    return rows


if __name__ == "__main__":
    main(full="--full" in sys.argv[1:])
