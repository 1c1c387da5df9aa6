"""The bundled sample's calendars: who has which export, and writing them.

Every facilitator, requester and participant of the sample has a calendar
except three participants (see :func:`_calendar_people`). People export
from their employer's program (:mod:`jags.generate_ics`); a few are in
``availability.csv`` instead (written with the csv module).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocator.models import Attendance, normalise_email, normalise_org
from jags.generate_ics import apple_export, google_export, outlook_export
from jags.generate_plans import BLOCKS, FIRST_DAY, LAST_DAY, availability_rows, make_plan, uid

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from allocator.models import Request, Workspace

__all__ = ["sample_calendar_files", "write_sample_calendars"]


_PUBLIC_BODIES = (
    "Council",
    "NHS",
    "Constabulary",
    "Police",
    "Probation",
    "Youth Justice",
    "Virtual School",
    "Medical Practice",
    "Early Help Hub",
    "Family Hubs",
)


def _style_for(organisation: str, sector: str | None) -> str:
    """Calendar program by employer: public bodies run Exchange, schools Google
    Workspace, other organisations Google or macOS (fixed per organisation)."""
    if any(word in organisation for word in _PUBLIC_BODIES):
        return "outlook"
    if sector == "Education":
        return "google"
    return "apple" if int(uid(organisation, "style")[:8], 16) % 2 else "google"


@dataclass
class _Cast:
    """Who has which calendar in the sample."""

    ics: dict[str, str] = field(default_factory=dict)  # e-mail → style
    rows: list[str] = field(default_factory=list)  # in availability.csv
    unknown: list[str] = field(default_factory=list)  # no calendar at all
    leave: dict[str, list[tuple[date, date]]] = field(default_factory=dict)


def _calendar_people(ws: Workspace) -> _Cast:
    """Who has an ``.ics`` export, who is in ``availability.csv``, who has nothing.

    Every facilitator, requester and participant has a calendar except three
    participants in three different requests: the follow-up's last participant
    and two others. The follow-up's second participant and five other people
    are in ``availability.csv``; everyone else has an ``.ics`` file in their
    employer's style. Facilitators' calendars show their leave from
    ``leave.csv``; two attendees of other requests are away for several days
    of 14–21 December.
    """
    cast = _Cast()
    orgs: dict[str, str] = {f.email: f.organisation or "" for f in ws.facilitators}
    attending: dict[str, list[str]] = {}
    for req in ws.requests:
        people = [req.requester_email] + [
            normalise_email(p.email) for p in ws.participants_by_request.get(req.request_id, ())
        ]
        for email in people:
            attending.setdefault(email, []).append(req.request_id)
        orgs.setdefault(req.requester_email, req.requester_organisation)
        for p in ws.participants_by_request.get(req.request_id, ()):
            orgs.setdefault(normalise_email(p.email), p.organisation)
    facilitators = {f.email for f in ws.facilitators}
    rng = random.Random(f"calendars:{len(ws.requests)}:{len(ws.facilitators)}")

    def plain(req: Request, required: bool = False) -> list[str]:
        """The request's participants who attend no other request and facilitate nothing."""
        return [
            e
            for p in ws.participants_by_request.get(req.request_id, ())
            if len(attending[e := normalise_email(p.email)]) == 1
            and e not in facilitators
            and (p.attendance is Attendance.REQUIRED or not required)
        ]

    follow = next((r for r in ws.requests if r.follow_up_of), None)
    special = {r.request_id for r in ws.requests if r.follow_up_of or r.preferred_facilitator_id}
    if follow is not None:
        attendees = [
            normalise_email(p.email) for p in ws.participants_by_request.get(follow.request_id, ())
        ]
        if len(attendees) > 2 and attendees[-1] in plain(follow):
            cast.unknown.append(attendees[-1])
        if len(attendees) > 1 and attendees[1] not in cast.unknown:
            cast.rows.append(attendees[1])
    # The newest requests tend to wait for a facilitator; pick from the others.
    others = [r for r in ws.requests[:-2] if r.request_id not in special and plain(r, True)]
    picked = rng.sample(others, min(len(others), 4))
    for req in picked[:2]:
        cast.unknown.append(rng.choice(plain(req)))
    for req, block in zip(picked[2:], BLOCKS, strict=False):
        cast.leave.setdefault(rng.choice(plain(req, True)), []).append(block)
    for lv in ws.leave:
        if lv.end >= FIRST_DAY and lv.start <= LAST_DAY:
            email = ws.facilitator_by_id[lv.facilitator_id].email
            cast.leave.setdefault(email, []).append(
                (max(lv.start, FIRST_DAY), min(lv.end, LAST_DAY))
            )
    candidates = sorted(
        e
        for e in attending
        if e not in facilitators
        and e not in cast.unknown
        and e not in cast.rows
        and e not in cast.leave
    )
    cast.rows += rng.sample(candidates, min(5, len(candidates)))
    for email in sorted(set(orgs) - set(cast.unknown) - set(cast.rows)):
        org = orgs[email]
        cast.ics[email] = _style_for(org, ws.sector_of_org.get(normalise_org(org)))
    return cast


def sample_calendar_files(ws: Workspace) -> dict[str, bytes]:
    """The sample's ``.ics`` exports and ``availability.csv`` for ``ws``'s people.

    Parameters
    ----------
    ws
        The workspace (normally :func:`jags.generate.sample_workspace`).

    Returns
    -------
    dict
        File name → content: one ``<email>.ics`` per person with an export
        (Outlook, Google or macOS style by employer; 23 Nov 2026 – 31 Jan
        2027; recurring meetings as one event each; generic summaries only),
        in e-mail order, then ``availability.csv`` (email, start, end,
        status) for a few people without one. Three participants have no
        calendar at all (see :func:`_calendar_people`).
    """
    cast = _calendar_people(ws)
    files: dict[str, bytes] = {}
    for email, style in cast.ics.items():
        rng = random.Random(f"ics:{email}")
        plan = make_plan(rng, cast.leave.get(email, ()))
        text = (
            outlook_export(email, plan)
            if style == "outlook"
            else google_export(email, plan, rng)
            if style == "google"
            else apple_export(email, plan)
        )
        files[f"{email.lower()}.ics"] = text.encode("utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["email", "start", "end", "status"])
    for email in cast.rows:
        plan = make_plan(random.Random(f"rows:{email}"), cast.leave.get(email, ()))
        writer.writerows(availability_rows(email, plan))
    files["availability.csv"] = buffer.getvalue().encode("utf-8")
    return files


def write_sample_calendars(ws: Workspace, folder: Path) -> list[Path]:
    """Write :func:`sample_calendar_files` into ``folder`` (created when missing).

    Returns
    -------
    list of Path
        The files written, ``.ics`` files first (by e-mail).
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in sample_calendar_files(ws).items():
        (folder / name).write_bytes(content)
        written.append(folder / name)
    return written
