"""Run a command and report its wall time and peak memory (own process tree).

Usage: ``python -m benchmarks.measure -- CMD ARGS...`` prints JSON
``{"seconds": ..., "peak_mib": ..., "returncode": ...}``. Each measured
command runs under its own wrapper process, so ``RUSAGE_CHILDREN`` is the
peak of that command alone.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1:] if "--" in argv else argv
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024,
                      "returncode": done.returncode,
                      "stderr": done.stderr.decode("utf-8", "replace")[-2000:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
