"""jags.calendars: which calendar files are read, the reading cache, warnings and --strict."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from allocator import Policy
from jags.calendars import DiskCache, WorkspaceCalendars, cache_folder, read_exports
from scheduling.availability import Status
from scheduling.sources import CalendarError

DATA = Path(__file__).parent / "data" / "calendars"
WEEK = (datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC))
GOOD = "riley.shaw@example.nhs.uk"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A calendars folder with one good export and one of each kind of bad entry."""
    calendars = tmp_path / "calendars"
    calendars.mkdir()
    (calendars / f"{GOOD}.ics").write_bytes((DATA / "utc_vs_tzid.ics").read_bytes())
    (calendars / "broken@example.org.ics").write_bytes(
        (DATA / "outlook_broken_dtstart.ics").read_bytes()
    )
    (calendars / "folder@example.org.ics").mkdir()
    (calendars / "gone@example.org.ics").symlink_to(tmp_path / "nowhere.ics")
    (calendars / "zero@example.org.ics").symlink_to("/dev/zero")
    os.mkfifo(calendars / "pipe@example.org.ics")
    return calendars


def test_only_regular_files_are_read(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="jags.calendars"):
        contents, refused = read_exports(folder, Policy())
    assert sorted(contents) == ["broken@example.org", GOOD]
    assert refused == {
        "folder@example.org": "calendars/folder@example.org.ics: a folder, not a calendar file",
        "gone@example.org": "calendars/gone@example.org.ics: a broken link, not a calendar file",
        "pipe@example.org": "calendars/pipe@example.org.ics: not a regular file (a device, pipe "
        "or socket is never read)",
        "zero@example.org": "calendars/zero@example.org.ics: not a regular file (a device, pipe "
        "or socket is never read)",
    }
    for why in refused.values():
        assert why in caplog.text
    assert "the availability of zero@example.org is unknown" in caplog.text


def test_a_file_over_the_size_limit_is_not_read(folder: Path) -> None:
    size = (folder / f"{GOOD}.ics").stat().st_size
    contents, refused = read_exports(folder, Policy().replace(calendar_max_bytes=size - 1))
    assert GOOD not in contents
    assert refused[GOOD] == (
        f"calendars/{GOOD}.ics: {size:,} bytes, more than the policy's "
        f"limit of {size - 1:,} (calendar_max_bytes)"
    )


def test_strict_refuses_the_first_bad_file(folder: Path) -> None:
    with pytest.raises(CalendarError, match=r"calendars/folder@example\.org\.ics: a folder"):
        read_exports(folder, Policy(), strict=True)


def test_an_unreadable_export_makes_its_owner_unknown_with_a_warning_naming_file_and_line(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = WorkspaceCalendars(folder, Policy(), cache=False)
    with caplog.at_level(logging.WARNING, logger="jags.calendars"):
        found = source.availability([GOOD, "broken@example.org"], *WEEK)
        source.availability([GOOD, "broken@example.org"], *WEEK)  # warned once
    assert found["broken@example.org"].status(*WEEK) is Status.UNKNOWN
    assert found[GOOD].coverage == (WEEK,)
    warning = (
        "calendars/broken@example.org.ics, line 9: the calendar has an unreadable DTSTART "
        "in a VEVENT; the availability of broken@example.org is unknown"
    )
    assert caplog.text.count(warning) == 1
    assert "Jamie" not in caplog.text  # the event's summary


def test_strict_makes_an_unreadable_export_an_input_error(tmp_path: Path) -> None:
    calendars = tmp_path / "calendars"
    calendars.mkdir()
    (calendars / "broken@example.org.ics").write_bytes(
        (DATA / "outlook_broken_dtstart.ics").read_bytes()
    )
    source = WorkspaceCalendars(calendars, Policy(), strict=True, cache=False)
    with pytest.raises(CalendarError) as caught:
        source.availability(["broken@example.org"], *WEEK)
    assert str(caught.value) == (
        "calendars/broken@example.org.ics, line 9: the calendar has an "
        "unreadable DTSTART in a VEVENT"
    )


def test_the_component_limit_comes_from_the_policy(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calendars = tmp_path / "calendars"
    calendars.mkdir()
    (calendars / f"{GOOD}.ics").write_bytes((DATA / "utc_vs_tzid.ics").read_bytes())
    source = WorkspaceCalendars(calendars, Policy().replace(calendar_max_components=3), cache=False)
    with caplog.at_level(logging.WARNING, logger="jags.calendars"):
        found = source.availability([GOOD], *WEEK)
    assert found[GOOD].coverage == ()
    assert (
        f"calendars/{GOOD}.ics: the calendar has 8 components, more than the limit of 3"
        in caplog.text
    )


def test_readings_are_cached_in_the_user_cache_folder(tmp_path: Path) -> None:
    calendars = tmp_path / "calendars"
    calendars.mkdir()
    (calendars / f"{GOOD}.ics").write_bytes((DATA / "utc_vs_tzid.ics").read_bytes())
    first = WorkspaceCalendars(calendars, Policy()).availability([GOOD], *WEEK)
    entries = list((cache_folder() / "ics").rglob("*.json"))
    assert len(entries) == 1
    # A spoiled entry shows that the next run answers from the cache ...
    entries[0].write_bytes(entries[0].read_bytes().replace(b'"busy"', b'"oof"'))
    cached = WorkspaceCalendars(calendars, Policy()).availability([GOOD], *WEEK)
    assert {i.status for i in cached[GOOD].intervals} == {Status.OOF}
    # ... and that without the cache the export is read afresh.
    fresh = WorkspaceCalendars(calendars, Policy(), cache=False).availability([GOOD], *WEEK)
    assert fresh == first


def test_cache_folder_follows_xdg() -> None:
    assert cache_folder({"XDG_CACHE_HOME": "/var/cache/me"}) == Path("/var/cache/me/jags-planner")
    assert cache_folder({"XDG_CACHE_HOME": "relative"}) == Path.home() / ".cache" / "jags-planner"
    assert cache_folder({}) == Path.home() / ".cache" / "jags-planner"


def test_disk_cache_round_trip_and_failures_are_ignored(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "ics")
    assert cache.get("ab" * 32) is None
    cache.put("ab" * 32, b"[]")
    assert cache.get("ab" * 32) == b"[]"
    assert [p.name for p in (tmp_path / "ics" / "ab").iterdir()] == [f"{'ab' * 32}.json"]
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    DiskCache(blocked).put("cd" * 32, b"[]")  # cannot write: ignored
    assert DiskCache(blocked).get("cd" * 32) is None
