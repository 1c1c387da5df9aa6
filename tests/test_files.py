"""Tests for jags.files: all-or-nothing output folders, kills, and byte-stable zips."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from allocator.errors import InputError
from jags.files import (
    KEEP_VERSIONS,
    KILL_AFTER_ENV,
    EarlierResultError,
    OutputsChangedError,
    current_version,
    refuse_earlier,
    stable_zip,
    write_outputs,
)
from jags.generate import generate_workspace, write_workspace

ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name → content); {} when it does not exist."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(out: Path) -> list[str]:
    """Staging folders and pointer links a run left behind."""
    container = out.parent / f".{out.name}.versions"
    found = [p.name for p in container.glob("*.staging")] if container.exists() else []
    return found + [p.name for p in out.parent.glob(f".{out.name}.pointer-*")]


def versions(out: Path) -> list[str]:
    container = out.parent / f".{out.name}.versions"
    return sorted(p.name for p in container.iterdir() if p.name.startswith("v"))


# The pointer and its versions -------------------------------------------------------------


def test_writes_all_files_behind_a_pointer(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "out"
    paths = write_outputs(out, {"allocations.csv": b"a\n", "invites/R-001.ics": b"ics"})
    assert paths == [out / "allocations.csv", out / "invites" / "R-001.ics"]
    assert snapshot(out) == {"allocations.csv": b"a\n", "invites/R-001.ics": b"ics"}
    assert out.is_symlink() and os.readlink(out) == ".out.versions/v000001"
    assert sorted(p.name for p in out.parent.iterdir()) == [".out.versions", "out"]
    assert current_version(out) == tmp_path / "runs" / ".out.versions" / "v000001"
    assert leftovers(out) == []


def test_each_run_replaces_the_whole_result_and_old_versions_are_pruned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"allocations.csv": b"1", "allocations.xlsx": b"book 1"})
    first = current_version(out)
    write_outputs(out, {"allocations.csv": b"2"})
    assert snapshot(out) == {"allocations.csv": b"2"}  # no stale workbook beside new CSV
    assert snapshot(first) == {"allocations.csv": b"1", "allocations.xlsx": b"book 1"}
    for n in range(3, 6):
        write_outputs(out, {"allocations.csv": str(n).encode()})
    assert snapshot(out) == {"allocations.csv": b"5"}
    assert versions(out) == ["v000004", "v000005"]
    assert len(versions(out)) == KEEP_VERSIONS


def test_based_on_keeps_the_earlier_files_and_adds_the_changes(tmp_path: Path) -> None:
    out = tmp_path / "schedule"
    write_outputs(
        out, {"schedule.json": b"{1}", "invites/R-1.ics": b"one", "invites/R-2.ics": b"two"}
    )
    base = current_version(out)
    write_outputs(out, {"schedule.json": b"{2}", "invites/R-2.ics": b"moved"}, based_on=base)
    assert snapshot(out) == {
        "schedule.json": b"{2}",
        "invites/R-1.ics": b"one",
        "invites/R-2.ics": b"moved",
    }
    assert snapshot(base)["invites/R-2.ics"] == b"two"  # the earlier version is untouched


def test_based_on_a_stale_version_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "schedule"
    write_outputs(out, {"schedule.json": b"{1}"})
    base = current_version(out)
    write_outputs(out, {"schedule.json": b"{other command}"}, based_on=base)
    before = snapshot(out)
    with pytest.raises(OutputsChangedError, match="run it again"):
        write_outputs(out, {"schedule.json": b"{lost update}"}, based_on=base)
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_without_replace_a_different_earlier_result_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = {"allocations.csv": b"a\n", "invites/R-1.ics": b"one"}
    write_outputs(out, first, replace=False)  # nothing there yet
    assert versions(out) == ["v000001"]
    # the same files again (re-running the same batch): fine, and no new version
    assert write_outputs(out, dict(first), replace=False) == [
        out / "allocations.csv",
        out / "invites" / "R-1.ics",
    ]
    assert versions(out) == ["v000001"]
    # a file changed, or one left out: refused, nothing written
    for changed in (
        {"allocations.csv": b"b\n", "invites/R-1.ics": b"one"},
        {"allocations.csv": b"a\n"},
    ):
        with pytest.raises(EarlierResultError) as error:
            write_outputs(out, changed, replace=False)
        assert str(error.value) == (
            f"{out} holds an earlier result that differs from this one; nothing was written. "
            "Add --force to replace it (the earlier files are kept in .out.versions/ until "
            "the next run), or choose another folder"
        )
        assert snapshot(out) == first and versions(out) == ["v000001"]
        assert leftovers(out) == []
    # the same files and a new one (a proposal, then the same proposal booked): fine
    grown = {**first, "invites/R-1.eml": b"mail"}
    write_outputs(out, grown, replace=False)
    assert snapshot(out) == grown
    # replace (--force) always writes
    write_outputs(out, {"allocations.csv": b"c\n"}, replace=True)
    assert snapshot(out) == {"allocations.csv": b"c\n"}


def test_without_replace_streamed_content_is_compared_too(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"explanations.csv": iter([b"a,", b"b\n"])})
    write_outputs(out, {"explanations.csv": iter([b"a", b",b\n"])}, replace=False)
    with pytest.raises(EarlierResultError):
        write_outputs(out, {"explanations.csv": iter([b"a,", b"c\n"])}, replace=False)
    assert snapshot(out) == {"explanations.csv": b"a,b\n"}


def test_refuse_earlier_checks_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    refuse_earlier(out, {"a.csv": b"1"})  # no folder: nothing to refuse
    out.mkdir()
    refuse_earlier(out, {"a.csv": b"1"})  # an empty folder: nothing to refuse
    out.rmdir()
    write_outputs(out, {"proposals.csv": b"p", "invites/R-1.ics": b"i"})
    refuse_earlier(out, {"proposals.csv": b"p", "invites/R-1.ics": b"i"})
    refuse_earlier(out, {"proposals.csv": b"p"}, partial=True)  # the rest comes later
    with pytest.raises(EarlierResultError):
        refuse_earlier(out, {"proposals.csv": b"p"})  # the invitation would be lost
    with pytest.raises(EarlierResultError):
        refuse_earlier(out, {"proposals.csv": b"other"}, partial=True)


def test_without_replace_a_plain_folder_of_an_earlier_release_counts_as_a_result(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "allocations.csv").write_bytes(b"old")
    with pytest.raises(EarlierResultError):
        write_outputs(out, {"allocations.csv": b"new"}, replace=False)
    assert snapshot(out) == {"allocations.csv": b"old"} and not out.is_symlink()


def test_a_plain_folder_from_an_earlier_release_is_kept_aside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "invites").mkdir(parents=True)
    (out / "allocations.csv").write_bytes(b"old")
    (out / "allocations.xlsx").write_bytes(b"old book")
    (out / "invites" / "R-0.ics").write_bytes(b"old invite")
    old = snapshot(out)
    write_outputs(out, {"allocations.csv": b"new"})
    assert out.is_symlink()
    assert snapshot(out) == {"allocations.csv": b"new"}
    assert snapshot(tmp_path / ".out.versions" / "legacy") == old
    for n in range(4):  # never pruned
        write_outputs(out, {"allocations.csv": str(n).encode()})
    assert snapshot(tmp_path / ".out.versions" / "legacy") == old


def test_a_plain_folder_with_other_files_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "project"
    out.mkdir()
    (out / "allocations.csv").write_bytes(b"old")
    (out / "notes about CASE-1.docx").write_bytes(b"mine")
    with pytest.raises(InputError, match="holds 1 file") as error:
        write_outputs(out, {"allocations.csv": b"new"})
    assert "CASE-1" not in str(error.value)
    monkeypatch.chdir(out)
    (out / "notes about CASE-1.docx").unlink()
    for here in (Path("."), Path("..")):
        with pytest.raises(InputError, match="current folder"):
            write_outputs(here, {"allocations.csv": b"new"})
    assert snapshot(tmp_path) == {"project/allocations.csv": b"old"}


def test_updating_a_plain_folder_carries_its_files(tmp_path: Path) -> None:
    out = tmp_path / "schedule"
    (out / "invites").mkdir(parents=True)
    (out / "schedule.json").write_bytes(b"{1}")
    (out / "invites" / "R-1.ics").write_bytes(b"one")
    write_outputs(out, {"schedule.json": b"{2}"}, based_on=current_version(out))
    assert snapshot(out) == {"schedule.json": b"{2}", "invites/R-1.ics": b"one"}


def test_failure_while_writing_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"allocations.csv": b"old"})
    real_open = Path.open

    def failing_open(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "proposals.csv":
            raise OSError(28, "No space left on device")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", failing_open)
    with pytest.raises(OSError, match="No space"):
        write_outputs(
            out, {"allocations.csv": b"new", "invites/R-1.ics": b"x", "proposals.csv": b"p"}
        )
    monkeypatch.undo()
    assert snapshot(out) == {"allocations.csv": b"old"}
    assert leftovers(out) == []
    assert versions(out) == ["v000001"]


def test_staging_left_by_a_killed_run_is_cleaned_up(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(out, {"a.csv": b"1"})
    container = tmp_path / ".out.versions"
    (container / "v000002.staging" / "invites").mkdir(parents=True)
    (container / "v000002.staging" / "invites" / "R-1.ics").write_bytes(b"half")
    os.symlink(".out.versions/v000002", tmp_path / ".out.pointer-99999")
    assert len(leftovers(out)) == 2
    write_outputs(out, {"a.csv": b"3"})
    assert leftovers(out) == []
    assert snapshot(out) == {"a.csv": b"3"}  # nothing of the half-written run


@pytest.mark.parametrize(
    "name", ["../escape.csv", "/abs.csv", "a/b/c.csv", "", "a\\b.csv", "./x.csv"]
)
def test_bad_names_are_refused_before_writing(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="bad output file name"):
        write_outputs(tmp_path / "out", {"ok.csv": b"1", name: b"2"})
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_bytes(b"a file")
    with pytest.raises(InputError, match="not a folder"):
        write_outputs(tmp_path / "out", {"a.csv": b"1"})
    with pytest.raises(InputError, match="not a folder"):
        write_outputs(tmp_path / "out" / "deeper", {"a.csv": b"1"})
    assert snapshot(tmp_path) == {"out": b"a file"}


# Real processes: kills and concurrent readers and writers -------------------------------


def run(
    *args: str | Path, kill_after: int | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != KILL_AFTER_ENV}
    if kill_after is not None:
        env[KILL_AFTER_ENV] = str(kill_after)
    return subprocess.run(
        [sys.executable, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=300,
        check=False,
    )


def jags_run(*args: str | Path, kill_after: int | None = None) -> subprocess.CompletedProcess[str]:
    return run("-m", "jags.cli", *args, kill_after=kill_after)


def kill_at_every_step(
    out: Path,
    command: tuple[str | Path, ...],
    old: dict[str, bytes],
    new: dict[str, bytes],
    steps: int,
) -> None:
    """Kill ``command`` after each writer step (each file staged, the version renamed, the
    new pointer made, the pointer swapped); the folder always shows old or new, whole.
    Before each run the folder is put back to ``old`` (as a new version) if it moved on."""
    assert old != new
    saw_staging = False
    for n in range(1, steps):
        if snapshot(out) != old:
            write_outputs(out, old)
        done = jags_run(*command, kill_after=n)
        assert done.returncode == -9, (n, done.stderr)
        seen = snapshot(out)
        assert seen in (old, new), f"a mix after a kill at step {n}: {sorted(seen)}"
        saw_staging |= any(name.endswith(".staging") for name in leftovers(out))
    assert saw_staging, "no kill landed while files were being staged"
    if snapshot(out) != old:
        write_outputs(out, old)
    done = jags_run(*command)
    assert done.returncode == 0, done.stderr
    assert snapshot(out) == new
    assert leftovers(out) == []
    assert len(versions(out)) <= KEEP_VERSIONS


def test_allocate_killed_at_every_file_boundary(tmp_path: Path, sample_dir: Path) -> None:
    out = tmp_path / "out"
    assert jags_run("allocate", sample_dir, "--on", "2026-11-20", "--out", out).returncode == 0
    old = snapshot(out)
    reference = tmp_path / "reference"
    command = ("allocate", sample_dir, "--on", "2026-11-23", "--format", "xlsx", "--out")
    assert jags_run(*command, reference).returncode == 0
    new = snapshot(reference)
    assert sorted(new) == [
        "allocations.csv",
        "allocations.xlsx",
        "explanations.csv",
        "facilitator_status.csv",
    ]
    # 3 files, the version rename, the new pointer, the swap, the pruning (--force: the
    # earlier result in the folder is to be replaced).
    kill_at_every_step(out, (*command, out, "--force"), old, new, steps=len(new) + 4)


@pytest.fixture(scope="module")
def small_schedule(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small workspace (no calendars) and its allocations."""
    folder = tmp_path_factory.mktemp("small")
    workspace = folder / "workspace"
    write_workspace(generate_workspace(4, 12, seed=5, with_gaps=False), workspace)
    done = jags_run("allocate", workspace, "--on", "2026-11-23", "--out", folder / "allocated")
    assert done.returncode == 0, done.stderr
    return workspace, folder / "allocated" / "allocations.csv"


def test_schedule_killed_at_every_file_boundary(
    tmp_path: Path, small_schedule: tuple[Path, Path]
) -> None:
    workspace, allocations = small_schedule
    out = tmp_path / "out"
    command = ("schedule", workspace, "--allocations", allocations, "--out")
    assert jags_run(*command, out, "--confirmed-on", "2026-11-27").returncode == 0
    old = snapshot(out)
    reference = tmp_path / "reference"
    assert jags_run(*command, reference, "--confirmed-on", "2026-11-30").returncode == 0
    new = snapshot(reference)
    assert len([n for n in new if n.startswith("invites/")]) >= 4
    kill_at_every_step(
        out,
        (*command, out, "--confirmed-on", "2026-11-30", "--force"),
        old,
        new,
        steps=len(new) + 4,
    )


def test_invite_killed_at_every_file_boundary(
    tmp_path: Path, small_schedule: tuple[Path, Path]
) -> None:
    workspace, allocations = small_schedule
    out = tmp_path / "out"
    assert (
        jags_run(
            "schedule",
            workspace,
            "--allocations",
            allocations,
            "--out",
            out,
            "--confirmed-on",
            "2026-11-30",
        ).returncode
        == 0
    )
    old = snapshot(out)
    reference = tmp_path / "reference"
    shutil.copytree(out, reference)
    rid = sorted(
        n.removeprefix("invites/").removesuffix(".ics") for n in old if n.endswith(".ics")
    )[0]
    command = ("invite", reference, "--choose", f"{rid}=2", "--on", "2026-12-01")
    assert jags_run(*command).returncode == 0
    new = snapshot(reference)
    changed = {name for name in new if new[name] != old.get(name)}
    assert changed == {"schedule.json", f"invites/{rid}.ics", f"invites/{rid}.eml"}
    assert set(new) == set(old)  # every earlier invitation is still there
    kill_at_every_step(
        out,
        ("invite", out, "--choose", f"{rid}=2", "--on", "2026-12-01"),
        old,
        new,
        steps=len(changed) + 4,
    )


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from jags.files import write_outputs
    out, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    for n in range(count):
        token = f"{tag}-{n}".encode()
        write_outputs(out, {"allocations.csv": token, "explanations.csv": token,
                            "invites/R-1.ics": token})
""")


def test_a_killed_upgrade_of_a_plain_folder_never_shows_a_mix(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = {"allocations.csv": b"old", "explanations.csv": b"old", "allocations.xlsx": b"book"}
    script = tmp_path / "writer.py"
    script.write_text(WRITER, "utf-8")

    for n in range(1, 8):  # 3 files, rename, pointer, legacy moved aside, swap
        shutil.rmtree(tmp_path / ".out.versions", ignore_errors=True)
        if out.is_symlink():
            out.unlink()
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        for name, content in old.items():
            (out / name).write_bytes(content)
        done = run(script, out, "new", "1", kill_after=n)
        seen = snapshot(out)
        assert seen in (
            {},
            old,
            {k: b"new-0" for k in ("allocations.csv", "explanations.csv", "invites/R-1.ics")},
        ), (n, seen)
        if not seen:  # killed between moving the old folder aside and the swap
            assert snapshot(tmp_path / ".out.versions" / "legacy") == old
        assert done.returncode == -9, done.stderr


def test_readers_never_see_a_mix_while_writers_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = tmp_path / "writer.py"
    script.write_text(WRITER, "utf-8")
    write_outputs(
        out,
        {"allocations.csv": b"first", "explanations.csv": b"first", "invites/R-1.ics": b"first"},
    )
    writers = [
        subprocess.Popen([sys.executable, str(script), str(out), tag, "60"], cwd=ROOT)
        for tag in ("a", "b")
    ]
    reads = 0
    try:
        while any(w.poll() is None for w in writers):
            folder = current_version(out)
            try:
                seen = {
                    (folder / n).read_bytes()
                    for n in ("allocations.csv", "explanations.csv", "invites/R-1.ics")
                }
            except FileNotFoundError:  # that version was pruned meanwhile: read again
                continue
            assert len(seen) == 1, seen
            assert (out / "allocations.csv").read_bytes()  # never a missing or empty file
            reads += 1
    finally:
        for w in writers:
            w.wait(timeout=120)
    assert [w.returncode for w in writers] == [0, 0]
    assert reads > 0
    final = snapshot(out)
    assert len(set(final.values())) == 1 and next(iter(final.values())).endswith(b"-59")
    assert leftovers(out) == []
    assert len(versions(out)) == KEEP_VERSIONS


def test_write_file_replaces_one_file_at_once(tmp_path: Path) -> None:
    from jags.files import write_file

    target = tmp_path / "results" / "r.csv"
    assert write_file(target, b"a\n") == target
    write_file(target, b"b\n")
    assert target.read_bytes() == b"b\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["r.csv"]  # no temporary left
    with pytest.raises(InputError, match="is a folder"):
        write_file(tmp_path, b"x")


# stable_zip -------------------------------------------------------------------------------


def make_zip(entries: dict[str, bytes], when: tuple[int, int, int, int, int, int]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=when), content)
    return buffer.getvalue()


ENTRIES = {"[Content_Types].xml": b"<types/>", "xl/workbook.xml": b"<workbook/>" * 50}


def test_stable_zip_ignores_entry_times() -> None:
    early = make_zip(ENTRIES, (2026, 11, 23, 9, 0, 0))
    late = make_zip(ENTRIES, (2027, 1, 2, 17, 30, 4))
    assert early != late
    assert stable_zip(early) == stable_zip(late)
    assert stable_zip(stable_zip(early)) == stable_zip(early)


def test_stable_zip_keeps_names_order_and_content() -> None:
    stable = stable_zip(make_zip(ENTRIES, (2026, 11, 23, 9, 0, 0)))
    with zipfile.ZipFile(io.BytesIO(stable)) as archive:
        assert archive.namelist() == list(ENTRIES)
        assert {n: archive.read(n) for n in archive.namelist()} == ENTRIES
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
        assert archive.testzip() is None


def test_stable_zip_still_tells_different_content_apart() -> None:
    changed = {**ENTRIES, "xl/workbook.xml": b"<workbook/>"}
    when = (2026, 11, 23, 9, 0, 0)
    assert stable_zip(make_zip(ENTRIES, when)) != stable_zip(make_zip(changed, when))


def test_stable_zip_ignores_the_modified_stamp_office_sets_on_save() -> None:
    def book(modified: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr(
                "docProps/core.xml",
                '<cp:coreProperties><dcterms:created x="1">2026-11-23T00:00:00Z'
                '</dcterms:created><dcterms:modified x="1">'
                + modified
                + "</dcterms:modified></cp:coreProperties>",
            )
        return buffer.getvalue()

    one = stable_zip(book("2026-11-21T05:01:02Z"))
    assert one == stable_zip(book("2030-01-01T00:00:00Z"))
    core = zipfile.ZipFile(io.BytesIO(one)).read("docProps/core.xml")
    assert b'<dcterms:modified x="1">2026-11-23T00:00:00Z</dcterms:modified>' in core
