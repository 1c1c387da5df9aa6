"""Bipartite matching with capacities, by augmenting paths: the flow stages of a small batch.

A daily batch of one to a few requests over a few dozen facilitators is
answered faster by a short search in Python than by building a network for
OR-Tools. The search is exact: :func:`greedy_matchable` keeps, in the order
given, every item that can be added while all kept items still have a
place (the greedy basis of a transversal matroid), which is what stages 1–2
of :mod:`allocator.flow` compute with flows; :func:`all_matchable` asks
whether every item has a place at once (stages 3–4a when each request can
take one of its cheapest facilitators).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["all_matchable", "greedy_matchable"]


def greedy_matchable(
    options: Sequence[Sequence[int]], places: Sequence[int] | Mapping[int, int]
) -> list[int]:
    """The items kept by the greedy in index order (ascending).

    Item ``i`` may go to any place in ``options[i]``; place ``p`` holds at most
    ``places[p]`` items. Item ``i`` is kept when the kept items before it and
    ``i`` can all be given a place together. With items in age order this is
    the oldest-first allocated set: the unique cheapest basis of the
    transversal matroid when item ``i`` costs ``i``.

    Parameters
    ----------
    options
        Per item, the places it may take (any order, no repeats).
    places
        Per place, how many items it can hold (``0`` or more): a list indexed by
        place, or a mapping holding at least every place named in ``options``.
    """
    holders: dict[int, list[int]] = {}
    kept: list[int] = []
    for item in range(len(options)):
        if _augment(item, options, places, holders, set()):
            kept.append(item)
    return kept


def all_matchable(
    options: Sequence[Sequence[int]], places: Sequence[int] | Mapping[int, int]
) -> bool:
    """Whether every item can be given a place at once (see :func:`greedy_matchable`)."""
    holders: dict[int, list[int]] = {}
    return all(_augment(item, options, places, holders, set()) for item in range(len(options)))


def _augment(
    item: int,
    options: Sequence[Sequence[int]],
    places: Sequence[int] | Mapping[int, int],
    holders: dict[int, list[int]],
    seen: set[int],
) -> bool:
    """Give ``item`` a place, moving items already placed along an augmenting path.

    Each place is visited once per search and each placed item holds one
    place, so the recursion is at most as deep as the number of items.
    """
    for place in options[item]:
        if place in seen:
            continue
        seen.add(place)
        held = holders.setdefault(place, [])
        if len(held) < places[place]:
            held.append(item)
            return True
        for k, other in enumerate(held):
            if _augment(other, options, places, holders, seen):
                held[k] = item
                return True
    return False
