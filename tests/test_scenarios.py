"""The ``jags.scenarios`` package: its public names, loaded on first use."""

from __future__ import annotations

import subprocess
import sys

import jags.scenarios


def test_every_public_name_resolves() -> None:
    for name in jags.scenarios.__all__:
        assert getattr(jags.scenarios, name) is not None, name


def test_other_commands_do_not_load_the_simulation() -> None:
    # (pandas is left out: OR-Tools' CP-SAT wrapper imports it anyway)
    code = (
        "import sys, jags.cli; print(sorted(m for m in ('scipy', 'simpy', "
        "'distributed', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
