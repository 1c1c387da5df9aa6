"""An earlier release of JAGS Planner, built once side by side for comparisons.

``release(commit)`` exports that commit with ``git archive`` into
``.bench/<commit>/src`` (git-ignored) and installs it, with its own
dependencies, into its own virtual environment ``.bench/<commit>/venv``.
Later calls reuse both. The benchmark runs the earlier release's ``jags``
from there, so the two versions never share an import path.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench"

PREVIOUS_RELEASE = "e5e6ad6"
"""The last landed release: what ``make bench`` compares against."""
STARTING_POINT = "31249b7"
"""The commit this work started from: ``allocations.csv`` must not change from it."""


@dataclass(frozen=True)
class Release:
    """An installed earlier version."""

    commit: str
    python: Path
    jags: Path


def release(commit: str) -> Release:
    """The release at ``commit``, exported and installed on first use.

    Parameters
    ----------
    commit
        A commit of this repository (abbreviated hashes are fine).
    """
    home = CACHE / commit
    venv = home / "venv"
    done = home / ".installed"
    if not done.exists():
        src = home / "src"
        src.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit], cwd=ROOT, check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(src, filter="data")
        print(f"building release {commit} in {home} (once)", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                str(src),
            ],
            check=True,
        )
        done.touch()
    return Release(commit, venv / "bin" / "python", venv / "bin" / "jags")
