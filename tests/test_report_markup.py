"""Tests for :mod:`jags.report.markup`: small counts suppressed when publishing."""

from __future__ import annotations

from jags.report.markup import Numbers


def test_numbers() -> None:
    n = Numbers(publish=True)
    assert [n.count(v) for v in (0, 1, 4, 5, 1234)] == ["0", "<5", "<5", "5", "1,234"]
    assert n.share(0.5, 2, 4) == "—" and n.share(0.5, 5, 10) == "50%"
    assert Numbers(publish=False).count(3) == "3"
