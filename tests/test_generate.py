"""Tests for :mod:`jags.generate`: determinism, validity, sizes, the bundled sample."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import jags
from allocator.models import Workspace, normalise_org
from jags.cli import app
from jags.generate import (
    COLUMNS,
    LOCALITIES,
    SAMPLE_SEED,
    SECTORS,
    SPECIALISMS,
    generate_workspace,
    sample_workspace,
    workspace_files,
    workspace_tables,
    write_sample,
)


@pytest.fixture(scope="module")
def generated_sample() -> Workspace:
    return sample_workspace()


def _open_counts(ws: Workspace) -> Counter[str]:
    return Counter(h.facilitator_id for h in ws.history if h.closed_on is None)


# Determinism and validity ------------------------------------------------------------


def test_same_seed_gives_identical_tables() -> None:
    first = workspace_tables(generate_workspace(30, 20, seed=7))
    second = workspace_tables(generate_workspace(30, 20, seed=7))
    assert first == second


def test_different_seeds_differ() -> None:
    assert workspace_tables(generate_workspace(30, 20, seed=1)) != workspace_tables(
        generate_workspace(30, 20, seed=2)
    )


@pytest.mark.parametrize(
    ("n_requests", "n_facilitators"), [(0, 1), (1, 1), (2, 3), (25, 40), (120, 30)]
)
def test_sizes_are_respected(n_requests: int, n_facilitators: int) -> None:
    ws = generate_workspace(n_requests, n_facilitators, seed=3)
    assert len(ws.requests) == n_requests
    assert len(ws.facilitators) == n_facilitators
    assert ws.check() == []


def test_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError):
        generate_workspace(5, 0)
    with pytest.raises(ValueError):
        generate_workspace(-1, 5)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_requests=st.integers(0, 40),
    n_facilitators=st.integers(1, 30),
    seed=st.integers(0, 10_000),
    gaps=st.booleans(),
)
def test_every_generated_workspace_is_valid(
    n_requests: int, n_facilitators: int, seed: int, gaps: bool
) -> None:
    ws = generate_workspace(n_requests, n_facilitators, seed=seed, with_gaps=gaps)
    # Re-validating the dumped data succeeds: the workspace is self-consistent.
    again = Workspace.model_validate(ws.model_dump())
    assert again == ws
    opened = _open_counts(ws)
    for f in ws.facilitators:
        assert f.open_jags == opened[f.facilitator_id]
        assert f.max_open is None or f.open_jags <= f.max_open
    if not gaps:
        assert all(not f.missing_fields for f in ws.facilitators)
    for r in ws.requests:
        assert r.requester_email not in {p.email for p in ws.participants_by_request[r.request_id]}
        assert len(ws.participants_by_request[r.request_id]) >= 2


def test_benchmark_size_workspace_is_consistent() -> None:
    ws = generate_workspace(2000, 400, seed=11)
    assert len(ws.requests) == 2000
    assert len(ws.facilitators) == 400
    opened = _open_counts(ws)
    assert all(f.open_jags == opened[f.facilitator_id] for f in ws.facilitators)
    # Networks stay local enough that most requests keep plenty of independent facilitators.
    org_of = {f.facilitator_id: f.org_key for f in ws.facilitators}
    for r in ws.requests[:200]:
        network = ws.network_orgs(r)
        assert sum(org not in network for org in org_of.values()) >= 100


# Realism ---------------------------------------------------------------------------


def test_generated_content_is_norfolk_like(generated_sample: Workspace) -> None:
    ws = generate_workspace(300, 80, seed=5)
    assert {f.sector for f in ws.facilitators if f.sector} == set(SECTORS)
    assert {f.locality for f in ws.facilitators} == set(LOCALITIES)
    assert {r.locality for r in ws.requests} == set(LOCALITIES)
    assert {o.sector for o in ws.organisations} == set(SECTORS)
    assert {t for r in ws.requests for t in [r.topic] if t} <= set(SPECIALISMS)
    assert {s for f in ws.facilitators for s in f.specialisms} <= set(SPECIALISMS)
    assert {f.max_open for f in ws.facilitators} <= {None, 1, 2, 3, 4}
    emails = [f.email for f in ws.facilitators] + [p.email for p in ws.participants]
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d*@[a-z0-9-]+\.example", e) for e in emails)
    assert all(re.fullmatch(r"CASE-\d{4}", r.case_ref) for r in ws.requests)
    assert all(re.fullmatch(r"FAM-\d{4}", r.family_ref) for r in ws.requests if r.family_ref)
    assert any(r.received_at.weekday() >= 5 for r in ws.requests)
    assert any(r.received_at.hour >= 17 for r in ws.requests)
    assert all(date(2026, 11, 9) <= r.received_at.date() < date(2026, 11, 19) for r in ws.requests)
    assert [r.received_at for r in ws.requests] == sorted(r.received_at for r in ws.requests)
    for r in ws.requests:
        orgs = [normalise_org(p.organisation) for p in ws.participants_by_request[r.request_id]]
        assert len(set(orgs)) >= len(orgs) - 2  # different organisations, bar a colleague


def _can_take(ws: Workspace, fid: str, batch: date) -> bool:
    f = ws.facilitator_by_id[fid]
    return (
        f.active
        and not f.missing_fields
        and f.trained_on is not None
        and f.trained_on <= batch
        and f.max_open is not None
        and f.open_jags < f.max_open
        and not any(lv.start <= batch <= lv.end for lv in ws.leave_by_facilitator.get(fid, ()))
    )


def test_follow_ups_and_preferences_are_usable(generated_sample: Workspace) -> None:
    for ws in (generated_sample, generate_workspace(60, 30, seed=9)):
        batch = max(r.received_at for r in ws.requests).date()
        follow = [
            ws.history_by_id[r.follow_up_of].facilitator_id for r in ws.requests if r.follow_up_of
        ]
        named = [r for r in ws.requests if r.preferred_facilitator_id]
        assert all(r.preference_rationale for r in named)
        # At least one of each is pinned to a facilitator who can take it.
        assert any(_can_take(ws, fid, batch) for fid in follow)
        assert any(_can_take(ws, r.preferred_facilitator_id or "", batch) for r in named)


def test_gaps_flag(generated_sample: Workspace) -> None:
    assert any(f.missing_fields for f in generated_sample.facilitators)
    missing = {m for f in generated_sample.facilitators for m in f.missing_fields}
    assert missing <= {"sector", "max_open"}
    assert not any(
        f.missing_fields
        for f in generate_workspace(25, 40, seed=SAMPLE_SEED, with_gaps=False).facilitators
    )


# The bundled generated_sample ------------------------------------------------------------------


def test_sample_shape(generated_sample: Workspace) -> None:
    assert len(generated_sample.facilitators) == 40
    assert len(generated_sample.requests) == 25
    assert len({f.sector for f in generated_sample.facilitators if f.sector}) >= 8
    assert {f.locality for f in generated_sample.facilitators} == set(LOCALITIES)
    assert min(r.received_at for r in generated_sample.requests).date() >= date(2026, 11, 9)
    assert max(r.received_at for r in generated_sample.requests).date() <= date(2026, 11, 22)
    assert generated_sample.involvements
    assert any(not f.active for f in generated_sample.facilitators)
    assert any(not f.can_lead for f in generated_sample.facilitators)
    assert any(
        f.trained_on and f.trained_on > date(2026, 11, 23) for f in generated_sample.facilitators
    )
    assert any(
        f.training_expires and f.training_expires < date(2026, 11, 9)
        for f in generated_sample.facilitators
    )
    assert any(lv.start <= date(2026, 11, 23) <= lv.end for lv in generated_sample.leave)


def test_bundled_sample_matches_the_generator(tmp_path: Path, sample_dir: Path) -> None:
    write_sample(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    bundled = sorted(
        p.relative_to(sample_dir)
        for p in sample_dir.rglob("*")
        if p.is_file() and p.name not in ("README.md", "feedback-form.xlsx", "request-form.xlsx")
    )
    assert made == bundled
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (sample_dir / rel).read_bytes(), rel


def test_the_bundled_sample_is_found_by_package_resources(sample_dir: Path) -> None:
    assert sample_dir == Path(jags.__file__).parent / "sample_data"
    assert (sample_dir / "requests.csv").is_file()
    assert len(list((sample_dir / "calendars").glob("*.ics"))) > 100


def test_a_regular_install_carries_the_sample(tmp_path: Path) -> None:
    """Build a wheel, install it (no editable link to the source tree) and find the sample."""
    root = tmp_path / "source"  # a copy: building writes build/ beside the sources
    here = Path(__file__).resolve().parent.parent
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("allocator", "scheduling", "jags", "data"):
        shutil.copytree(here / name, root / name, symlinks=True, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(here / name, root / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "wheel"),
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "wheel").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "jags/sample_data/requests.csv" in names
    assert "jags/sample_data/calendars/availability.csv" in names
    probe = (
        "import jags, jags.bundled as b; p = b.sample_folder(); print(jags.__file__); "
        "print(len(list(p.rglob('*.ics'))), (p / 'requests.csv').is_file())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    where, found = done.stdout.splitlines()
    assert where.startswith(str(tmp_path / "site"))
    assert found == f"{len(list((root / 'data' / 'sample' / 'calendars').glob('*.ics')))} True"


def test_jags_generate_writes_a_workspace(tmp_path: Path) -> None:
    out = tmp_path / "ws"
    result = CliRunner().invoke(
        app, ["generate", str(out), "--requests", "12", "--facilitators", "9", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.csv" for n in COLUMNS)
    with (out / "requests.csv").open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 13
    assert (out / "facilitators.csv").read_bytes() == workspace_files(
        generate_workspace(12, 9, seed=4)
    )["facilitators.csv"]
    bad = CliRunner().invoke(app, ["generate", str(tmp_path / "bad"), "--facilitators", "0"])
    assert bad.exit_code == 2 and "--facilitators" in bad.stderr


def test_python_m_jags_generate_is_the_same_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jags.generate",
            str(tmp_path / "ws"),
            "--requests",
            "3",
            "--facilitators",
            "2",
            "--no-gaps",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ws" / "requests.csv").read_bytes() == workspace_files(
        generate_workspace(3, 2, with_gaps=False)
    )["requests.csv"]
