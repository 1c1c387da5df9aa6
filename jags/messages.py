"""The words of invitation e-mails: no case detail, ever (the request id and the name
"Joint Agency Group Supervision" only)."""

from __future__ import annotations


def invitation_text(request_id: str, *, method: str, option: int | None = None) -> str:
    """The plain-text body of an invitation e-mail (no case detail, by design)."""
    if method == "CANCEL":
        what = (
            "This provisional hold is released"
            if option is not None
            else "This Joint Agency Group Supervision session is cancelled"
        )
        return (
            f"{what} (request {request_id}). Your calendar will remove it when you "
            f"open this message.\n"
        )
    hold = f" This is a provisional hold for option {option}." if option is not None else ""
    return (
        f"You are invited to a Joint Agency Group Supervision session (request "
        f"{request_id}).{hold} Please accept or decline in your calendar. The calendar "
        f"entry explains what the session is for; no case details are sent by e-mail.\n"
    )


def location_for(mode: str | None) -> str | None:
    """The invitation's LOCATION for a request's mode (no address: none is stored)."""
    return {"in_person": "In person (venue to be confirmed)", "online": "Online"}.get(mode or "")
