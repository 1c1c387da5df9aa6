"""The calendar exports of a workspace: which files are read, and the reading cache.

``calendars/<email>.ics`` files are read only when they are regular files
within the policy's size limit (``calendar_max_bytes``, default 20 MB); a
folder, a device such as ``/dev/zero``, a pipe or a broken link is refused
without being read. A refused or unreadable export makes its owner's
availability unknown with a warning naming the file (and the line, when
one is to blame), and the run goes on; with ``strict`` it is an input error
(exit code 2).

Readings are kept in the user's cache folder (``$XDG_CACHE_HOME/jags-planner``,
by default ``~/.cache/jags-planner``), keyed by each export's content and
the window asked about, so a second run over unchanged exports parses
nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from scheduling.sources import CalendarError, IcsSource

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from allocator import Policy
    from scheduling.availability import Availability

__all__ = ["DiskCache", "WorkspaceCalendars", "cache_folder", "read_exports"]

log = logging.getLogger("jags.calendars")

APP = "jags-planner"


def cache_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The user's cache folder for JAGS Planner (XDG base directories).

    ``$XDG_CACHE_HOME/jags-planner`` when that variable holds an absolute
    path, else ``~/.cache/jags-planner``.
    """
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / APP


class DiskCache:
    """A :class:`~scheduling.sources.ReadingCache` in a folder: one small file per key.

    Parameters
    ----------
    folder
        Where entries live (created on first write), e.g. ``cache_folder() / "ics"``.

    Notes
    -----
    Entries are written to a temporary file and renamed into place, so two
    runs at once never see half an entry. Any failure to read or write is
    ignored: the export is simply read again.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> bytes | None:
        """The entry for ``key``, or ``None``."""
        try:
            return self._path(key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key``; failures are ignored."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(value)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)


def _refusal(path: Path, label: str, limit: int) -> tuple[bytes | None, str]:
    """The bytes of ``path``, or ``None`` and why it is not read.

    The file is opened without blocking and checked on the open handle, so a
    pipe, a device or a folder is never read, even one swapped in after a check.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return None, f"{label}: a broken link, not a calendar file"
    except IsADirectoryError:
        return None, f"{label}: a folder, not a calendar file"
    except OSError as exc:
        return None, f"{label}: cannot be opened ({exc.strerror or type(exc).__name__})"
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            return None, f"{label}: a folder, not a calendar file"
        if not stat.S_ISREG(info.st_mode):
            return None, f"{label}: not a regular file (a device, pipe or socket is never read)"
        if info.st_size > limit:
            return None, (
                f"{label}: {info.st_size:,} bytes, more than the policy's limit of "
                f"{limit:,} (calendar_max_bytes)"
            )
        with os.fdopen(os.dup(handle), "rb") as stream:
            data = stream.read(limit + 1)
    finally:
        os.close(handle)
    if len(data) > limit:
        return None, f"{label}: more than the policy's limit of {limit:,} bytes"
    return data, ""


def read_exports(
    folder: Path, policy: Policy, *, strict: bool = False
) -> tuple[dict[str, bytes], dict[str, str]]:
    """The ``*.ics`` files of ``folder`` that may be read, by e-mail (the file stem).

    Returns
    -------
    tuple[dict[str, bytes], dict[str, str]]
        Contents by e-mail, and the files refused (e-mail → a message
        naming the file), each already warned about.

    Raises
    ------
    CalendarError
        With ``strict``, for the first file refused.
    """
    contents: dict[str, bytes] = {}
    refused: dict[str, str] = {}
    for path in sorted(folder.glob("*.ics")):
        label = f"{folder.name}/{path.name}"
        data, why = _refusal(path, label, policy.calendar_max_bytes)
        if data is None:
            if strict:
                raise CalendarError(why, email=path.stem)
            log.warning("%s; the availability of %s is unknown", why, path.stem)
            refused[path.stem] = why
            continue
        contents[path.stem] = data
    return contents, refused


class WorkspaceCalendars:
    """The ``calendars/`` exports of a workspace as one calendar source.

    Parameters
    ----------
    folder
        The ``calendars`` folder.
    policy
        Supplies the time zone and the size and component limits.
    strict
        Make a refused or unreadable export an input error (default
        ``False``: its owner is unknown, with a warning).
    cache
        Keep readings in the user's cache folder (default ``True``).
    """

    def __init__(
        self, folder: Path, policy: Policy, *, strict: bool = False, cache: bool = True
    ) -> None:
        self.folder = folder
        self.strict = strict
        contents, self.refused = read_exports(folder, policy, strict=strict)
        self.files = {email.strip().casefold(): f"{folder.name}/{email}.ics" for email in contents}
        store = DiskCache(cache_folder() / "ics") if cache else None
        self.source = IcsSource.for_policy(contents, policy, strict=False, cache=store)
        self._warned: set[str] = set()

    def availability(
        self, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Availability]:
        """As :meth:`IcsSource.availability`; unreadable exports warned about or raised."""
        began = time.perf_counter()
        result = self.source.availability(emails, start, end)
        parsed, cached = self.source.counts
        log.info(
            "read %d calendar exports in %.2f s (%d parsed, %d from the cache)",
            parsed + cached,
            time.perf_counter() - began,
            parsed,
            cached,
        )
        for problem in self.source.problems:
            owner = problem.email or ""
            label = self.files.get(owner, f"{self.folder.name}/{owner}.ics")
            where = f"{label}, line {problem.line}" if problem.line else label
            if self.strict:
                raise CalendarError(
                    f"{where}: the calendar {problem.reason}",
                    email=owner,
                    line=problem.line,
                    reason=problem.reason,
                )
            if owner not in self._warned:
                self._warned.add(owner)
                log.warning(
                    "%s: the calendar %s; the availability of %s is unknown",
                    where,
                    problem.reason,
                    owner,
                )
        return result
