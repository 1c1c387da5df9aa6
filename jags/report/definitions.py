"""The KPIs in words: which are rates and shares, and what each one counts.

The README's table of KPIs repeats :data:`DEFINITIONS` word for word.
"""

from __future__ import annotations

RATES = ("allocated_by_deadline", "contacted_within_target", "held_within_window")
SHARES = ("stepped_down", "cancelled", "reallocated")

DEFINITIONS: dict[str, str] = {
    "allocated_by_deadline": (
        "Of the requests whose allocate-by date falls in the period, or that were first "
        "allocated in it, the share first allocated on or before their allocate-by date "
        "(day 0 + the policy's allocate_within_days working days). A request cancelled on "
        "or before its allocate-by date without an allocation is left out."
    ),
    "contacted_within_target": (
        "Of the allocations whose contact-due date (allocation day + the policy's "
        "contact_days working days) falls in the period, or whose contact was recorded in "
        "it, the share contacted on or before that date. Contact is the first of contacted, "
        "confirmed or stepped_down recorded after the allocation. Each allocation counts, so "
        "a request reallocated after a decline counts again; an allocation declined or "
        "cancelled on or before its due date without contact is left out."
    ),
    "held_within_window": (
        "Of the confirmed requests whose session window (working days window_first_day to "
        "window_last_day after the latest confirmation) closes in the period, or that were "
        "held in it, the share held inside the window, both ends included. A request "
        "stepped down or cancelled before its window closed without being held is left "
        "out; a confirmation followed by a decline does not count."
    ),
    "stepped_down": (
        "Of the requests that ended in the period (held, stepped down or cancelled, "
        "whichever came first), the number and share stepped down."
    ),
    "cancelled": ("Of the requests that ended in the period, the number and share cancelled."),
    "reallocated": (
        "Of the requests first allocated in the period, the number and share declined by "
        "a facilitator at least once (and so allocated again)."
    ),
    "median_working_days_to_allocation": (
        "Median working days from day 0 to the first allocation, over the requests first "
        "allocated in the period (0 when allocated on day 0 or before it; the mean of the "
        "two middle values when the count is even)."
    ),
    "p90_working_days_to_allocation": (
        "90th percentile (nearest rank: the value at position ⌈0.9 × n⌉ in ascending "
        "order) of the same working days, over the same requests."
    ),
    "median_working_days_confirmation_to_held": (
        "Median working days from the latest confirmation to the session being held, over "
        "the requests held in the period."
    ),
    "p90_working_days_confirmation_to_held": (
        "90th percentile (nearest rank) of the same working days, over the same requests."
    ),
    "open_backlog": (
        "Requests received and not yet ended (held, stepped down or cancelled) at the "
        "period's last day; by age band: working days from day 0 to that day "
        "(open_backlog_age_0-2 … _21+; numerator the band, denominator all open)."
    ),
    "requests_received": (
        "Requests received in the period (by the London date received); by requesting "
        "sector (requests_by_sector:<sector>) and organisation "
        "(requests_by_organisation:<organisation>), each with its share of the period's "
        "requests."
    ),
    "facilitator_pool": (
        "Facilitator places at the period's last day by sector (facilitator_pool:<sector>): "
        "the sum of the personal maximum of open JAGS of the facilitators then in the "
        "workspace, with the sector's share of all places."
    ),
    "utilisation": (
        "Open load ÷ maximum, summed over the period's working days: numerator the "
        "facilitator-days of open JAGS (an allocation counts from its allocation day until "
        "the day before it ended), denominator the facilitator-days of places (each "
        "facilitator's personal maximum); overall and by the facilitator's sector "
        "(utilisation:<sector>)."
    ),
    "feedback": (
        "Feedback form responses for sessions in the period (the session's held date, else "
        "the response's date): feedback_responses; confidence_change_mean and "
        "confidence_change_median (after − before score per response); "
        "confidence_improved (responses whose after score is higher); theme:<words> (the "
        "number of sessions whose feedback names the theme, of the sessions with feedback)."
    ),
}
