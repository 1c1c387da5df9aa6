"""Run a command and report its wall time and peak memory (own process tree).

Usage: ``python -m benchmarks.measure [--limit-gib N] -- CMD ARGS...`` prints JSON
``{"seconds": ..., "peak_mib": ..., "returncode": ..., "over_limit": ...}``;
``python -m benchmarks.measure --usage -- CMD ARGS...`` also reports CPU seconds
and the whole standard error (see :func:`usage`).
Each measured command runs under its own wrapper process, so
``RUSAGE_CHILDREN`` is the peak of that command alone. With ``--limit-gib``
the command is stopped as soon as its resident memory passes the limit
(``over_limit`` is then true): a run that does not fit never takes the
machine's memory from others.
"""

from __future__ import annotations

import compileall
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("allocator", "scheduling", "jags")


def with_bytecode() -> None:
    """Measure this version as an installed copy runs: compiled once.

    An installed package carries compiled bytecode; this worktree's packages
    are compiled here, and ``PYTHONDONTWRITEBYTECODE`` (set in some
    environments) is dropped for the processes measured, so no run pays for
    compiling the sources again.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)


def _resident_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def usage(command: list[str]) -> dict[str, object]:
    """Run ``command`` from this (small) process and report what it used: wall and CPU
    seconds (its own worker processes included), peak resident memory, its standard error.

    Measured here rather than in the benchmark itself because Linux counts, in a new
    process's peak memory, the peak of the process it was started from: from a
    benchmark that holds large workspaces, every command would seem to need as much.
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    with process.stderr:
        stderr = process.stderr.read()
    _, status, used = os.wait4(process.pid, 0)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": used.ru_utime + used.ru_stime,
        "peak_mib": used.ru_maxrss / 1024,
        "returncode": os.waitstatus_to_exitcode(status),
        "stderr": stderr,
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["--usage"]:
        print(json.dumps(usage(argv[argv.index("--") + 1 :])))
        return 0
    limit_kib = None
    if argv[:1] == ["--limit-gib"]:
        limit_kib = int(float(argv[1]) * 1024 * 1024)
        argv = argv[2:]
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    over = False
    while process.poll() is None:
        if limit_kib is not None and _resident_kib(process.pid) > limit_kib:
            over = True
            process.kill()
            break
        time.sleep(0.02)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak_kib / 1024,
                "returncode": process.returncode,
                "over_limit": over,
                "stderr": stderr.decode("utf-8", "replace")[-2000:],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
