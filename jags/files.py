"""Output files: an all-or-nothing write of several files, and byte-stable zips.

A command's ``--out`` folder is a *pointer*: a symbolic link to one complete
version of the outputs, kept beside it in a hidden ``.<name>.versions/``
folder. A run writes every file into a staging folder there, renames the
staging folder to the next version, and swaps the pointer with one rename
of a new link. A reader opening ``out/allocations.csv`` therefore sees the
old files or the new ones, never a mix; a reader that opens several files
resolves the pointer once (:func:`current_version`). Staging left by a
killed run is removed by the next run, and old versions are pruned.
"""

from __future__ import annotations

import filecmp
import io
import logging
import os
import re
import shutil
import signal
import sys
import zipfile
from collections.abc import Iterable
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from allocator.errors import InputError

if sys.platform != "win32":
    import fcntl

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "KEEP_VERSIONS",
    "Content",
    "EarlierResultError",
    "OutputsChangedError",
    "current_version",
    "refuse_earlier",
    "stable_zip",
    "write_file",
    "write_outputs",
]

log = logging.getLogger("jags")

KEEP_VERSIONS = 2
"""Versions of an output folder kept: the current one and the one before it, so a
reader that resolved the pointer just before a swap can finish reading."""
KILL_AFTER_ENV = "JAGS_WRITER_KILL_AFTER"
"""Test hook, read only here: SIGKILL this process after that many writer steps."""

_VERSION = re.compile(r"v(\d{6,})")
KNOWN_OUTPUTS = frozenset(
    {
        "allocations.csv",
        "explanations.csv",
        "allocations.xlsx",
        "facilitator_status.csv",
        "proposals.csv",
        "schedule.json",
        "invites",
        "intake_changes.csv",
        "report.html",
        "kpis.csv",
        "status.xlsx",
    }
)
"""What the commands write: a plain folder holding only these (and the names being
written) is an output folder of an earlier release and may be moved aside."""


Content = bytes | Iterable[bytes]
"""A file's content: bytes, or chunks of bytes streamed into the file as they come."""


class OutputsChangedError(RuntimeError):
    """Another command changed the output folder while this one was working."""


class EarlierResultError(InputError):
    """The output folder shows an earlier result that differs from this one (no ``--force``)."""

    def __init__(self, out_dir: Path) -> None:
        super().__init__(
            f"{out_dir} holds an earlier result that differs from this one; nothing was "
            "written. Add --force to replace it (the earlier files are kept in "
            f".{out_dir.name}.versions/ until the next run), or choose another folder"
        )


def _files_in(folder: Path) -> dict[str, Path]:
    """The files of an output version (relative name → path), hidden names left out."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def _kept(
    earlier: Mapping[str, Path],
    files: Mapping[str, bytes] | Mapping[str, Path],
    *,
    partial: bool = False,
) -> bool:
    """Whether ``files`` keeps every earlier file as it is (new files may be added).

    ``files`` maps names to bytes or to files to compare; with ``partial`` it is
    only part of what will be written, so an earlier file it does not name is
    not held against it.
    """
    for name, path in earlier.items():
        if name not in files:
            if partial:
                continue
            return False
        content = files[name]
        if isinstance(content, Path):
            if content.stat().st_size != path.stat().st_size or not filecmp.cmp(
                content, path, shallow=False
            ):
                return False
        elif path.read_bytes() != content:
            return False
    return True


def refuse_earlier(out_dir: Path, files: Mapping[str, bytes], *, partial: bool = False) -> None:
    """Raise :class:`EarlierResultError` when ``out_dir`` shows an earlier result that
    ``files`` would change.

    An earlier result is a folder (usually the pointer to a version) that holds
    at least one file. It is changed when one of its files would be
    rewritten with other bytes or left out; the same files byte for byte
    (re-running the same batch), or the same files and new ones, are not
    refused. With ``partial`` (default ``False``), ``files`` is only part of
    what will be written. Used before a ledger commit, so a refused batch is
    not recorded either.
    """
    earlier = _files_in(current_version(out_dir))
    if earlier and not _kept(earlier, files, partial=partial):
        raise EarlierResultError(Path(os.path.abspath(out_dir)))


def _parts(name: str) -> list[str]:
    """Check an output name: a file, or one subfolder then a file; nothing else."""
    parts = name.split("/")
    if "\\" in name or not 1 <= len(parts) <= 2 or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad output file name {name!r}")
    return parts


def current_version(out_dir: Path) -> Path:
    """The folder holding the outputs ``out_dir`` shows now (its pointer resolved once).

    Read several files of one result from this folder, not through
    ``out_dir``, so a run that finishes meanwhile cannot mix versions. A
    plain folder (or a missing one) is returned as it is.
    """
    out_dir = Path(os.path.abspath(out_dir))
    return Path(os.path.realpath(out_dir)) if out_dir.is_symlink() else out_dir


class _Steps:
    """Counts the writer's steps; the test hook kills the process after the N-th."""

    def __init__(self) -> None:
        text = os.environ.get(KILL_AFTER_ENV, "")
        self.kill_after = int(text) if text.isdigit() else None
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if self.kill_after is not None and self.done >= self.kill_after:
            os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def _locked(container: Path) -> Iterator[None]:
    """One writer per output folder at a time (released by the kernel if killed).

    Not on Windows, which has no ``flock``: there two commands must not
    write one folder at the same time.
    """
    with (container / ".lock").open("a") as handle:
        if sys.platform != "win32":
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, content: bytes | Iterable[bytes]) -> None:
    with path.open("wb") as handle:
        if isinstance(content, bytes):
            handle.write(content)
        else:  # streamed: a large file is never held in memory whole
            for chunk in content:
                handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())


def _carry(base: Path, staging: Path, skip: set[str]) -> None:
    """Hard-link (or copy) every file of ``base`` not being replaced into ``staging``."""
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base).as_posix()
        if not path.is_file() or rel in skip or rel.split("/")[0].startswith("."):
            continue
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def _tidy(container: Path, parent: Path, name: str) -> None:
    """Remove staging folders and pointer links left by killed runs."""
    for leftover in container.glob("*.staging"):
        shutil.rmtree(leftover, ignore_errors=True)
    for link in parent.glob(f".{name}.pointer-*"):
        with suppress(FileNotFoundError):
            link.unlink()


def _versions(container: Path) -> list[tuple[int, Path]]:
    found = []
    for path in container.iterdir():
        match = _VERSION.fullmatch(path.name.removesuffix(".staging"))
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _prune(container: Path, current: Path) -> None:
    """Keep the newest :data:`KEEP_VERSIONS` versions (``legacy*`` folders are kept)."""
    done = [path for _, path in _versions(container) if not path.name.endswith(".staging")]
    for path in done[:-KEEP_VERSIONS]:
        if path != current:
            shutil.rmtree(path, ignore_errors=True)


def _check_plain(out_dir: Path, names: Iterable[str]) -> None:
    """Refuse to take over a plain folder that holds more than a command's outputs
    (``--out .`` in a project folder, or a workspace folder)."""
    here = Path(os.path.abspath(Path.cwd()))
    if out_dir == here or out_dir in here.parents:
        raise InputError(
            f"{out_dir}: the output folder cannot be the current folder or "
            "one above it; name a folder of its own"
        )
    allowed = KNOWN_OUTPUTS | {name.split("/")[0] for name in names}
    others = [p for p in out_dir.iterdir() if p.name not in allowed]
    if others:
        raise InputError(
            f"{out_dir}: this folder holds {len(others)} file(s) or folder(s) "
            "that jags did not write; use a new or empty folder for the output"
        )


def _move_legacy(out_dir: Path, container: Path) -> Path:
    """Move a plain folder from an earlier release into the versions folder."""
    n = 1
    while (container / ("legacy" if n == 1 else f"legacy-{n}")).exists():
        n += 1
    keep = container / ("legacy" if n == 1 else f"legacy-{n}")
    out_dir.rename(keep)
    log.warning("%s was a plain folder; its earlier contents are kept in %s", out_dir, keep)
    return keep


def write_outputs(
    out_dir: Path,
    files: Mapping[str, Content],
    *,
    based_on: Path | None = None,
    replace: bool = True,
) -> list[Path]:
    """Make ``files`` the contents of ``out_dir``: all of them at once, or nothing.

    The files are written into a staging folder in ``.<name>.versions/``
    beside ``out_dir``, which then becomes the next version; ``out_dir`` is
    a symbolic link swapped to it by one atomic rename. If anything fails
    or the process is killed before that rename, ``out_dir`` still shows
    the previous version (or does not exist). Staging left by a killed run
    is removed by the next run; all but the newest :data:`KEEP_VERSIONS`
    versions are deleted.

    An ``out_dir`` that is a plain folder written by an earlier release
    (holding only output files, :data:`KNOWN_OUTPUTS`) is moved into the
    versions folder as ``legacy`` just before the link takes its place: a
    reader sees the old folder, briefly nothing, then the new version, never
    a mix. A plain folder holding anything else, the current folder and its
    parents are refused.

    Parameters
    ----------
    out_dir
        The output folder (pointer); its parents are created when missing.
    files
        File name → content: bytes, or an iterable of byte chunks written as
        they come (so a large file is never held in memory whole). A name may
        hold one subfolder level (``"invites/R-001.ics"``).
    based_on
        For a command that updates an earlier result (``jags invite``): the
        version it read (from :func:`current_version`). The new version
        holds that version's files plus ``files``. Default ``None``: the
        new version holds ``files`` only.
    replace
        Default ``True``: the new files replace whatever ``out_dir`` shows.
        ``False`` (the commands without ``--force``): an ``out_dir`` that
        shows an earlier result that ``files`` would change (a file rewritten
        with other bytes, or left out) is refused (:class:`EarlierResultError`,
        nothing written); one that shows the same files byte for byte is left
        as it is (no new version); new files beside the same earlier ones
        make a new version.

    Returns
    -------
    list[Path]
        The written paths (through ``out_dir``), in the order of ``files``.

    Raises
    ------
    ValueError
        For a name that is absolute, empty, climbs out (``..``) or nests deeper.
    InputError
        When ``out_dir`` or one of its parents exists and is not a folder, or
        ``out_dir`` is a plain folder that holds files jags did not write.
    EarlierResultError
        With ``replace=False``, when ``out_dir`` shows a different earlier result.
    OutputsChangedError
        When ``based_on`` is no longer the current version (another command
        changed the folder meanwhile); nothing is changed.
    OSError
        When a file cannot be written; ``out_dir`` is then unchanged.
    """
    out_dir = Path(os.path.abspath(out_dir))
    names = {name: _parts(name) for name in files}
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a folder")
    if out_dir.is_dir() and not out_dir.is_symlink():
        _check_plain(out_dir, files)
    parent = out_dir.parent
    container = parent / f".{out_dir.name}.versions"
    try:
        container.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"{parent}: a part of this path is a file, not a folder") from None
    steps = _Steps()
    with _locked(container):
        _tidy(container, parent, out_dir.name)
        if based_on is not None and current_version(out_dir) != Path(os.path.abspath(based_on)):
            raise OutputsChangedError(
                f"{out_dir} was changed by another command while this one ran; nothing was "
                "written: run it again"
            )
        number = max((n for n, _ in _versions(container)), default=0) + 1
        version = container / f"v{number:06d}"
        staging = version.with_name(version.name + ".staging")
        try:
            staging.mkdir()
            for name, content in files.items():
                path = staging.joinpath(*names[name])
                path.parent.mkdir(exist_ok=True)
                _write_file(path, content)
                steps.step()
            if based_on is not None and Path(based_on).is_dir():
                _carry(Path(based_on), staging, set(files))
            if not replace and based_on is None:
                earlier = _files_in(current_version(out_dir))
                staged = _files_in(staging)
                if earlier and not _kept(earlier, staged):
                    raise EarlierResultError(out_dir)
                if earlier and set(earlier) == set(staged):  # the same result: keep it
                    shutil.rmtree(staging, ignore_errors=True)
                    return [out_dir.joinpath(*names[name]) for name in files]
            for folder in {staging, *(p.parent for p in staging.rglob("*") if p.is_file())}:
                _fsync_dir(folder)
            staging.rename(version)
            _fsync_dir(container)
            steps.step()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        pointer = parent / f".{out_dir.name}.pointer-{os.getpid()}"
        os.symlink(f"{container.name}/{version.name}", pointer)
        steps.step()
        if out_dir.is_dir() and not out_dir.is_symlink():
            _move_legacy(out_dir, container)
            steps.step()
        os.replace(pointer, out_dir)
        _fsync_dir(parent)
        steps.step()
        _prune(container, version)
        steps.step()
    return [out_dir.joinpath(*names[name]) for name in files]


def write_file(path: Path, content: bytes) -> Path:
    """Write one file atomically: a temporary file beside it, then one rename.

    A reader sees the old file or the new one, never part of either; a
    temporary file left by a killed run is named ``.<name>.<pid>.tmp``.

    Raises
    ------
    InputError
        When ``path`` names a folder.
    """
    path = Path(os.path.abspath(path))
    if path.is_dir():
        raise InputError(f"{path}: is a folder; name a file to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _write_file(temporary, content)
        os.replace(temporary, path)
        _fsync_dir(path.parent)
    finally:
        with suppress(FileNotFoundError):
            temporary.unlink()
    return path


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)</dcterms:created>")


def stable_zip(data: bytes) -> bytes:
    """The same zip with fixed entry times, so identical content gives identical bytes.

    An Office document's "modified" stamp (set to the clock on save) is
    replaced by its "created" stamp, which the caller fixes.
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                created = _CREATED.search(content)
                if created:
                    content = _MODIFIED.sub(rb"\g<1>" + created.group(1) + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, content)
    return out.getvalue()
