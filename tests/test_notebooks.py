"""The managers' notebooks: committed without outputs, executed here end to end (with
few replications), each showing its plots and ending with an answer computed from the
results."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# Small runs keep `make test` quick; managers run the notebooks at full size.
SIZES = {
    "what_if_capacity.ipynb": ("2", "40", 4),
    "demand_surge.ipynb": ("2", "90", 3),
    "policy_comparison.ipynb": ("1", "30", 4),
}


def test_the_three_notebooks_are_there() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(SIZES)


@pytest.mark.parametrize("name", sorted(SIZES))
def test_committed_notebooks_carry_no_outputs(name: str) -> None:
    raw = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]


@pytest.mark.parametrize("name", sorted(SIZES))
def test_notebooks_never_reimplement_the_simulation_or_the_engine(name: str) -> None:
    code = "\n".join(
        c.source
        for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells
        if c.cell_type == "code"
    )
    for forbidden in ("simpy", "allocator", "allocate(", "numpy.random", "default_rng"):
        assert forbidden not in code
    assert "from jags.scenarios import" in code and "from jags import charts" in code


@pytest.mark.parametrize("name", sorted(SIZES))
def test_notebook_runs_shows_its_plots_and_answers_its_question(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    replications, days, plots = SIZES[name]
    monkeypatch.setenv("JAGS_NOTEBOOK_REPLICATIONS", replications)
    monkeypatch.setenv("JAGS_NOTEBOOK_WORKING_DAYS", days)
    monkeypatch.setenv("JAGS_NOTEBOOK_WORKERS", "1")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "**The question.**" in nb.cells[0].source
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == plots
    last = nb.cells[-1]
    assert last.cell_type == "code"
    [answer] = [
        o["data"]["text/markdown"] for o in last.outputs if "text/markdown" in o.get("data", {})
    ]
    assert answer.startswith("**Answer.** ")
    assert "%" in answer and "replication" in answer
