"""``allocations.csv`` is unchanged from the starting point: a check, run by ``make bench``.

The starting point (:data:`benchmarks.release.STARTING_POINT`) and this version
each allocate the sample workspace (three presets) and the benchmark
workspaces; the files are compared row by row. Every column must be
byte-identical. The one change allowed is issue 11's finding 6: the
"Waiting: …" clause of a waiting request's reason, which now names the
rules about the case instead of calling those facilitators "at capacity";
for those rows the rest of the reason must still be identical. ``--explain
full`` must reproduce the starting point's ``explanations.csv`` byte for byte.

``python -m benchmarks.identity [--full]``; this file also runs inside each
version's environment as ``python -P identity.py --dump …`` (``-P``: this
folder must not shadow the packages).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_DAY = date(2026, 11, 23)


def dump(workspace: str, on: str, policy: str, out: str, full: str) -> None:
    """Write one version's allocations.csv, its waiting texts and (optionally) its full
    explanations.csv (runs inside that version's environment)."""
    from allocator import Explainer, Policy
    from jags.allocation import ALLOCATION_COLUMNS, allocation_rows, run_allocation
    from jags.csv_output import csv_bytes

    result = run_allocation(Path(workspace), Policy.preset(policy), date.fromisoformat(on))
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "allocations.csv").write_bytes(csv_bytes(ALLOCATION_COLUMNS, allocation_rows(result)))
    (folder / "unblock.json").write_text(json.dumps(result.unblock, sort_keys=True))
    if full == "yes":
        rows = Explainer(result.instance, result.chosen).rows()
        (folder / "explanations.csv").write_bytes(
            csv_bytes(
                ("request_id", "facilitator_id", "eligible", "code", "detail"),
                (tuple(row) for row in rows),
            )
        )


@dataclass
class Verdict:
    name: str
    rows: int
    identical: int
    waiting_clause: int
    other: int
    full_identical: bool | None

    @property
    def ok(self) -> bool:
        return self.other == 0 and self.full_identical is not False


def compare(name: str, before: Path, after: Path) -> Verdict:
    """Row-by-row comparison of two dumps (see the module docstring)."""
    old_rows = list(csv.reader(io.StringIO((before / "allocations.csv").read_text("utf-8"))))
    new_rows = list(csv.reader(io.StringIO((after / "allocations.csv").read_text("utf-8"))))
    old_wait = json.loads((before / "unblock.json").read_text("utf-8"))
    new_wait = json.loads((after / "unblock.json").read_text("utf-8"))
    identical = waiting = other = 0
    for old, new in zip(old_rows, new_rows, strict=False):
        if old == new:
            identical += 1
            continue
        rid = old[0]
        if (
            rid in old_wait
            and rid in new_wait
            and old[:5] + old[6:] == new[:5] + new[6:]
            and old[5].replace(old_wait[rid], new_wait[rid], 1) == new[5]
        ):
            waiting += 1
        else:
            other += 1
    other += abs(len(old_rows) - len(new_rows))
    full = None
    if (before / "explanations.csv").exists():
        full = (before / "explanations.csv").read_bytes() == (
            after / "explanations.csv"
        ).read_bytes()
    return Verdict(name, len(old_rows) - 1, identical - 1, waiting, other, full)


def check(python_before: Path, cases: list[tuple[str, Path, date, str, bool]]) -> list[Verdict]:
    """Dump each case with both versions and compare."""
    verdicts = []
    script = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        for name, workspace, on, policy, full in cases:
            outs = []
            for label, python in (("before", python_before), ("after", Path(sys.executable))):
                out = Path(tmp) / name / label
                subprocess.run(
                    [
                        str(python),
                        "-P",
                        script,
                        "--dump",
                        str(workspace),
                        on.isoformat(),
                        policy,
                        str(out),
                        "yes" if full else "no",
                    ],
                    check=True,
                )
                outs.append(out)
            verdicts.append(compare(name, *outs))
    return verdicts


def report(verdicts: list[Verdict], commit: str) -> str:
    lines = [
        f"allocations.csv against the starting point {commit} (every column byte-"
        f"identical; waiting rows may differ only in the 'Waiting:' clause):"
    ]
    for v in verdicts:
        full = (
            ""
            if v.full_identical is None
            else ("; --explain full identical" if v.full_identical else "; --explain full DIFFERS")
        )
        lines.append(
            f"  {v.name}: {v.rows} rows, {v.identical} identical, {v.waiting_clause} "
            f"differ only in the waiting clause, {v.other} other differences{full}"
            f" — {'ok' if v.ok else 'CHANGED'}"
        )
    return "\n".join(lines)


def main(full: bool = False) -> bool:
    from benchmarks.allocation import FULL, ON, QUICK
    from benchmarks.release import CACHE, STARTING_POINT, release
    from jags.generate import generate_workspace, write_workspace

    old = release(STARTING_POINT)
    cases: list[tuple[str, Path, date, str, bool]] = [
        (f"sample ({policy})", SAMPLE, SAMPLE_DAY, policy, True)
        for policy in ("norfolk", "bedfordshire", "cheshire-west")
    ]
    CACHE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        # The starting point cannot hold 20,000 × 4,000 in memory: checked up to 10,000.
        for n, m in [s for s in (FULL if full else QUICK) if s[0] <= 10000]:
            folder = Path(tmp) / f"ws-{n}"
            folder.mkdir()
            write_workspace(generate_workspace(n, m, seed=1), folder)
            cases.append((f"{n:,} × {m:,}", folder, ON, "norfolk", n <= 2000))
        verdicts = check(old.python, cases)
    print(report(verdicts, STARTING_POINT), flush=True)
    return all(v.ok for v in verdicts)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dump"]:
        dump(*sys.argv[2:7])
    else:
        sys.exit(0 if main(full="--full" in sys.argv[1:]) else 1)
