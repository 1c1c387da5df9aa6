"""Augmenting-path matching: the greedy by index and the all-at-once test, against brute force."""

from __future__ import annotations

from itertools import combinations, product

from hypothesis import given, settings
from hypothesis import strategies as st

from allocator.matching import all_matchable, greedy_matchable


def _fits(items: tuple[int, ...], options: list[list[int]], places: list[int]) -> bool:
    """Brute force: some choice of one place per item within every place's room."""
    for pick in product(*(options[i] for i in items)):
        if all(pick.count(p) <= places[p] for p in set(pick)):
            return True
    return False


def test_an_older_item_moves_to_make_room_for_a_younger_one() -> None:
    # Item 0 may take place 0 or 1, item 1 only place 0: the greedy keeps both
    # by moving item 0 to place 1 (an augmenting path), not by dropping item 1.
    assert greedy_matchable([[0, 1], [0]], [1, 1]) == [0, 1]
    assert all_matchable([[0, 1], [0]], [1, 1])


def test_the_younger_item_waits_when_only_one_fits() -> None:
    assert greedy_matchable([[0], [0]], [1]) == [0]
    assert greedy_matchable([[0], [0]], [2]) == [0, 1]
    assert not all_matchable([[0], [0]], [1])


def test_no_options_or_no_room_keeps_nothing() -> None:
    assert greedy_matchable([[], [0]], [0]) == []
    assert all_matchable([], [])
    assert all_matchable([[0]], {0: 1}) and not all_matchable([[0]], {0: 0})


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n_places: st.tuples(
            st.lists(
                st.lists(st.integers(0, n_places - 1), unique=True, max_size=n_places),
                min_size=0,
                max_size=6,
            ),
            st.lists(st.integers(0, 2), min_size=n_places, max_size=n_places),
        )
    )
)
def test_greedy_is_the_oldest_first_largest_set(case: tuple[list[list[int]], list[int]]) -> None:
    options, places = case
    kept = greedy_matchable(options, places)
    assert _fits(tuple(kept), options, places)
    # As large as any set that fits, and no set of that size has a smaller sum of
    # indices (the greedy basis of the transversal matroid is the cheapest).
    best = max(
        (
            size
            for size in range(len(options) + 1)
            for chosen in combinations(range(len(options)), size)
            if _fits(chosen, options, places)
        ),
        default=0,
    )
    assert len(kept) == best
    assert sum(kept) == min(
        sum(chosen)
        for chosen in combinations(range(len(options)), best)
        if _fits(chosen, options, places)
    )
    assert all_matchable(options, places) == (best == len(options))
