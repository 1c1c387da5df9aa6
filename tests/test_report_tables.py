"""The report's descriptive tables."""

from __future__ import annotations

from jags.report.tables import AGE_BANDS, band_of


def test_backlog_age_bands() -> None:
    assert [band_of(a) for a in (0, 2, 3, 5, 6, 10, 11, 20, 21, 99)] == [
        "0-2",
        "0-2",
        "3-5",
        "3-5",
        "6-10",
        "6-10",
        "11-20",
        "11-20",
        "21+",
        "21+",
    ]
    assert [b for _, _, b in AGE_BANDS] == ["0-2", "3-5", "6-10", "11-20", "21+"]
