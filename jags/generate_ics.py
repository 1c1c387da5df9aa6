"""A working pattern as an Outlook, Google Calendar or macOS Calendar export (icalendar).

Each writer builds the components with :mod:`icalendar` in the order and
with the properties the real program uses (Windows zone names and
``X-MICROSOFT-CDO-*`` for Outlook; UTC times, working locations and
``X-GOOGLE-EVENT-TYPE`` for Google; ``TZID=Europe/London``, ``DURATION``
and all-day leave for macOS). icalendar folds the lines and escapes the
text; property order is kept as written (``to_ical(sorted=False)``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from icalendar import Calendar, Component, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress
from icalendar import Event as VEvent

from jags.generate_plans import LAST_DAY, STAMP, UNTIL, WEEKDAYS, Event, first_on, quiet, uid

if TYPE_CHECKING:
    import random
    from collections.abc import Iterable

    from jags.generate_plans import Plan, Series

__all__ = ["apple_export", "google_export", "outlook_export"]

Props = list[tuple[str, Any, dict[str, str]]]
"""Properties in order: name, value, parameters."""


def _component(kind: type[Component], props: Props) -> Component:
    item = kind()
    for name, value, params in props:
        if params:
            item.add(name, value, parameters=params)
        else:
            item.add(name, value)
    return item


def _calendar(props: Props, parts: Iterable[Component]) -> str:
    cal = _component(Calendar, props)
    for part in parts:
        cal.add_component(part)
    text: bytes = cal.to_ical(sorted=False)
    return text.decode("utf-8")


def _zone(tzid: str, rules: Iterable[tuple[type[Component], Props]]) -> Component:
    zone = _component(Timezone, [("TZID", tzid, {})])
    for kind, props in rules:
        zone.add_component(_component(kind, props))
    return zone


def _weekly(series: Series, *, interval: bool = True) -> dict[str, Any]:
    rule: dict[str, Any] = {"FREQ": "WEEKLY", "UNTIL": UNTIL, "BYDAY": series.byday, "WKST": "MO"}
    if interval or series.weeks > 1:
        rule["INTERVAL"] = series.weeks
    return rule


def _utc(moment: datetime) -> datetime:
    """London local time as UTC (London is on GMT for the whole calendar period)."""
    return moment.replace(tzinfo=UTC)


# Outlook / Exchange ---------------------------------------------------------------------

_WINDOWS = {"TZID": "GMT Standard Time"}
_CDO = {"busy": "BUSY", "tentative": "TENTATIVE", "oof": "OOF", "free": "FREE"}
_OUTLOOK_ZONE = _zone(
    "GMT Standard Time",
    [
        (
            TimezoneStandard,
            [
                ("DTSTART", datetime(1601, 1, 1, 2), {}),
                ("TZOFFSETFROM", timedelta(hours=1), {}),
                ("TZOFFSETTO", timedelta(0), {}),
                ("RRULE", {"FREQ": "YEARLY", "INTERVAL": 1, "BYDAY": "-1SU", "BYMONTH": 10}, {}),
            ],
        ),
        (
            TimezoneDaylight,
            [
                ("DTSTART", datetime(1601, 1, 1, 1), {}),
                ("TZOFFSETFROM", timedelta(0), {}),
                ("TZOFFSETTO", timedelta(hours=1), {}),
                ("RRULE", {"FREQ": "YEARLY", "INTERVAL": 1, "BYDAY": "-1SU", "BYMONTH": 3}, {}),
            ],
        ),
    ],
)


def _outlook_event(
    email: str,
    key: str,
    event: Event,
    extra: Props | None = None,
    recurrence_id: datetime | None = None,
) -> Component:
    all_day = not isinstance(event.start, datetime)
    props: Props = [
        *(extra or []),
        ("UID", "040000008200E00074C5B7101A82E00800000000" + uid(email, key)[:32].upper(), {}),
    ]
    if recurrence_id:
        props.append(("RECURRENCE-ID", recurrence_id, _WINDOWS))
    props.append(("SUMMARY", event.summary, {"LANGUAGE": "en-GB"}))
    zone = {} if all_day else _WINDOWS
    props += [
        ("DTSTART", event.start, zone),
        ("DTEND", event.end, zone),
        ("CLASS", "PUBLIC", {}),
        ("DTSTAMP", STAMP, {}),
        ("TRANSP", "TRANSPARENT" if event.status == "free" else "OPAQUE", {}),
        ("STATUS", "TENTATIVE" if event.status == "tentative" else "CONFIRMED", {}),
        ("X-MICROSOFT-CDO-BUSYSTATUS", _CDO[event.status], {}),
        ("X-MICROSOFT-CDO-ALLDAYEVENT", "TRUE" if all_day else "FALSE", {}),
        ("X-MICROSOFT-CDO-INSTTYPE", "3" if recurrence_id else "1" if extra else "0", {}),
    ]
    return _component(VEvent, props)


def _outlook_series(email: str, series: Series) -> list[Component]:
    extra: Props = [("RRULE", _weekly(series), {})]
    if series.skipped:
        extra.append(("EXDATE", [series.start_on(d) for d in series.skipped], _WINDOWS))
    begin = series.first
    events = [
        _outlook_event(
            email, series.key, Event(series.summary, begin, begin + series.length), extra
        )
    ]
    if series.moved:
        day, new = series.moved
        events.append(
            _outlook_event(
                email,
                series.key,
                Event(series.summary, new, new + series.length),
                recurrence_id=series.start_on(day),
            )
        )
    return events


def outlook_export(email: str, plan: Plan) -> str:
    """Exchange/Outlook export: Windows zone, busy status, OOF leave, EXDATE and a moved
    instance."""
    events = _outlook_series(email, plan.team) + _outlook_series(email, plan.supervision)
    events += [
        _outlook_event(email, f"meeting-{k}", event) for k, event in enumerate(plan.meetings)
    ]
    events += [
        _outlook_event(
            email, f"leave-{k}", Event("Annual leave", first, last + timedelta(days=1), "oof")
        )
        for k, (first, last) in enumerate(plan.leave)
    ]
    events.append(
        _outlook_event(
            email,
            "wfh",
            Event("Working from home", plan.free_day, plan.free_day + timedelta(days=1), "free"),
        )
    )
    return _calendar(
        [
            ("METHOD", "PUBLISH", {}),
            ("PRODID", "Microsoft Exchange Server 2010", {}),
            ("VERSION", "2.0", {}),
            ("X-WR-CALNAME", "Calendar", {}),
        ],
        [_OUTLOOK_ZONE, *events],
    )


# Google Calendar --------------------------------------------------------------------------

_CREATED = datetime(2026, 9, 1, 8, tzinfo=UTC)
_GOOGLE_COMMON: Props = [
    ("CREATED", _CREATED, {}),
    ("LAST-MODIFIED", datetime(2026, 11, 1, 8, tzinfo=UTC), {}),
    ("LOCATION", "", {}),
    ("SEQUENCE", 0, {}),
]


def _google_event(email: str, key: str, body: Props) -> Component:
    return _component(
        VEvent,
        [
            *body[:2],
            ("DTSTAMP", STAMP, {}),
            ("UID", uid(email, key)[:26] + "@google.com", {}),
            *body[2:],
        ],
    )


def _google_series(email: str, series: Series, cancel: date | None = None) -> list[Component]:
    begin = series.first
    body: Props = [
        ("DTSTART", _utc(begin), {}),
        ("DTEND", _utc(begin + series.length), {}),
        ("RRULE", _weekly(series, interval=False), {}),
    ]
    body += [("EXDATE", _utc(series.start_on(d)), {}) for d in series.skipped]
    body += [
        *_GOOGLE_COMMON,
        ("STATUS", "CONFIRMED", {}),
        ("SUMMARY", series.summary, {}),
        ("TRANSP", "OPAQUE", {}),
    ]
    events = [_google_event(email, series.key, body)]
    changed = [(*series.moved, "CONFIRMED")] if series.moved else []
    if cancel is not None:
        changed.append((cancel, series.start_on(cancel), "CANCELLED"))
    for day, new, status in changed:
        events.append(
            _google_event(
                email,
                series.key,
                [
                    ("DTSTART", _utc(new), {}),
                    ("DTEND", _utc(new + series.length), {}),
                    ("RECURRENCE-ID", _utc(series.start_on(day)), {}),
                    ("CREATED", _CREATED, {}),
                    ("LAST-MODIFIED", datetime(2026, 11, 10, 8, tzinfo=UTC), {}),
                    ("LOCATION", "", {}),
                    ("SEQUENCE", 1, {}),
                    ("STATUS", status, {}),
                    ("SUMMARY", series.summary, {}),
                    ("TRANSP", "OPAQUE", {}),
                ],
            )
        )
    return events


def google_export(email: str, plan: Plan, rng: random.Random) -> str:
    """Google Calendar export: UTC times, working locations, a moved and a cancelled
    instance, tentative and declined invitations."""
    events = _google_series(email, plan.team)
    held = [b.date() for b, _ in plan.supervision.occurrences() if not quiet(b.date())]
    events += _google_series(email, plan.supervision, cancel=rng.choice(held[1:]))
    office = sorted(rng.sample(range(5), 2))
    for where, days in (("Office", office), ("Home", [d for d in range(5) if d not in office])):
        first = first_on(days[0])
        events.append(
            _google_event(
                email,
                f"location-{where}",
                [
                    ("DTSTART", first, {}),
                    ("DTEND", first + timedelta(days=1), {}),
                    (
                        "RRULE",
                        {
                            "FREQ": "WEEKLY",
                            "WKST": "MO",
                            "UNTIL": LAST_DAY,
                            "BYDAY": [WEEKDAYS[d] for d in days],
                        },
                        {},
                    ),
                    *_GOOGLE_COMMON,
                    ("STATUS", "CONFIRMED", {}),
                    ("SUMMARY", where, {}),
                    ("TRANSP", "TRANSPARENT", {}),
                ],
            )
        )
    declined = rng.randrange(len(plan.meetings)) if plan.meetings else -1
    for k, event in enumerate(plan.meetings):
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        answer = "DECLINED" if k == declined else "TENTATIVE" if event.status == "tentative" else ""
        guest: Props = (
            [
                (
                    "ATTENDEE",
                    vCalAddress(f"mailto:{email}"),
                    {
                        "CUTYPE": "INDIVIDUAL",
                        "ROLE": "REQ-PARTICIPANT",
                        "PARTSTAT": answer,
                        "CN": email,
                        "X-NUM-GUESTS": "0",
                    },
                )
            ]
            if answer
            else []
        )
        events.append(
            _google_event(
                email,
                f"meeting-{k}",
                [
                    ("DTSTART", _utc(event.start), {}),
                    ("DTEND", _utc(event.end), {}),
                    *guest,
                    *_GOOGLE_COMMON,
                    ("STATUS", "CONFIRMED", {}),
                    ("SUMMARY", event.summary, {}),
                    ("TRANSP", "OPAQUE", {}),
                ],
            )
        )
    for k, (first, last) in enumerate(plan.leave):
        events.append(
            _google_event(
                email,
                f"ooo-{k}",
                [
                    ("DTSTART", _utc(datetime.combine(first, time(0))), {}),
                    ("DTEND", _utc(datetime.combine(last + timedelta(days=1), time(0))), {}),
                    *_GOOGLE_COMMON,
                    ("STATUS", "CONFIRMED", {}),
                    ("SUMMARY", "Out of office", {}),
                    ("TRANSP", "OPAQUE", {}),
                    ("X-GOOGLE-EVENT-TYPE", "OUT_OF_OFFICE", {}),
                ],
            )
        )
    return _calendar(
        [
            ("PRODID", "-//Google Inc//Google Calendar 70.9054//EN", {}),
            ("VERSION", "2.0", {}),
            ("CALSCALE", "GREGORIAN", {}),
            ("METHOD", "PUBLISH", {}),
            ("X-WR-CALNAME", email, {}),
            ("X-WR-TIMEZONE", "Europe/London", {}),
        ],
        events,
    )


# macOS Calendar ---------------------------------------------------------------------------

_LONDON = {"TZID": "Europe/London"}
_APPLE_ZONE = _zone(
    "Europe/London",
    [
        (
            TimezoneDaylight,
            [
                ("TZOFFSETFROM", timedelta(0), {}),
                ("RRULE", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"}, {}),
                ("DTSTART", datetime(1981, 3, 29, 1), {}),
                ("TZNAME", "BST", {}),
                ("TZOFFSETTO", timedelta(hours=1), {}),
            ],
        ),
        (
            TimezoneStandard,
            [
                ("TZOFFSETFROM", timedelta(hours=1), {}),
                ("RRULE", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"}, {}),
                ("DTSTART", datetime(1996, 10, 27, 2), {}),
                ("TZNAME", "GMT", {}),
                ("TZOFFSETTO", timedelta(0), {}),
            ],
        ),
    ],
)


def _apple_event(email: str, key: str, body: Props) -> Component:
    return _component(
        VEvent,
        [
            ("CREATED", datetime(2026, 9, 15, 10, 15, tzinfo=UTC), {}),
            ("UID", str(uuid.UUID(uid(email, key)[:32])).upper(), {}),
            *body,
            ("DTSTAMP", STAMP, {}),
            ("SEQUENCE", 0, {}),
        ],
    )


def _apple_series(email: str, series: Series) -> list[Component]:
    body: Props = [
        ("DTSTART", series.first, _LONDON),
        ("DURATION", series.length, {}),
        ("RRULE", {"FREQ": "WEEKLY", "INTERVAL": series.weeks, "UNTIL": UNTIL}, {}),
    ]
    if series.skipped:
        body.append(("EXDATE", [series.start_on(d) for d in series.skipped], _LONDON))
    body += [("SUMMARY", series.summary, {}), ("TRANSP", "OPAQUE", {})]
    events = [_apple_event(email, series.key, body)]
    if series.moved:
        day, new = series.moved
        events.append(
            _apple_event(
                email,
                series.key,
                [
                    ("RECURRENCE-ID", series.start_on(day), _LONDON),
                    ("DTSTART", new, _LONDON),
                    ("DURATION", series.length, {}),
                    ("SUMMARY", series.summary, {}),
                    ("TRANSP", "OPAQUE", {}),
                ],
            )
        )
    return events


def apple_export(email: str, plan: Plan) -> str:
    """macOS Calendar export: TZID=Europe/London, DURATION, all-day leave."""
    events = _apple_series(email, plan.team) + _apple_series(email, plan.supervision)
    for k, event in enumerate(plan.meetings):
        assert isinstance(event.start, datetime) and isinstance(event.end, datetime)
        events.append(
            _apple_event(
                email,
                f"meeting-{k}",
                [
                    ("DTSTART", event.start, _LONDON),
                    ("DURATION", event.end - event.start, {}),
                    ("SUMMARY", event.summary, {}),
                    *([("STATUS", "TENTATIVE", {})] if event.status == "tentative" else []),
                    ("TRANSP", "OPAQUE", {}),
                ],
            )
        )
    for k, (first, last) in enumerate(plan.leave):
        events.append(
            _apple_event(
                email,
                f"leave-{k}",
                [
                    ("DTSTART", first, {}),
                    ("DTEND", last + timedelta(days=1), {}),
                    ("SUMMARY", "Annual leave", {}),
                    ("TRANSP", "OPAQUE", {}),
                ],
            )
        )
    events.append(
        _apple_event(
            email,
            "study",
            [
                ("DTSTART", plan.free_day, {}),
                ("DTEND", plan.free_day + timedelta(days=1), {}),
                ("SUMMARY", "Study day", {}),
                ("TRANSP", "TRANSPARENT", {}),
            ],
        )
    )
    return _calendar(
        [
            ("METHOD", "PUBLISH", {}),
            ("VERSION", "2.0", {}),
            ("X-WR-CALNAME", "Work", {}),
            ("PRODID", "-//Apple Inc.//macOS 15.0//EN", {}),
            ("X-APPLE-CALENDAR-COLOR", "#1BADF8", {}),
            ("X-WR-TIMEZONE", "Europe/London", {}),
            ("CALSCALE", "GREGORIAN", {}),
        ],
        [_APPLE_ZONE, *events],
    )
