"""Random streams: reproducible, and separate for each replication and purpose."""

from __future__ import annotations

import pickle

from jags.scenarios.seeds import Stream, replication_seeds, stream


def test_a_stream_gives_the_same_draws_every_time_and_after_pickling() -> None:
    seeds = replication_seeds(7, 3)
    again = pickle.loads(pickle.dumps(seeds[1]))
    assert (
        stream(seeds[1], Stream.NETWORK, 4, 2).random(5)
        == stream(again, Stream.NETWORK, 4, 2).random(5)
    ).all()


def test_replications_purposes_and_keys_get_different_streams() -> None:
    seeds = replication_seeds(7, 2)
    draws = {
        stream(seeds[0], Stream.ARRIVALS).random(),
        stream(seeds[1], Stream.ARRIVALS).random(),
        stream(seeds[0], Stream.JOURNEY).random(),
        stream(seeds[0], Stream.JOURNEY, 1, 0).random(),
        stream(seeds[0], Stream.JOURNEY, 0, 1).random(),
    }
    assert len(draws) == 5


def test_replication_seeds_are_spawned_from_the_run_seed() -> None:
    assert [s.spawn_key for s in replication_seeds(3, 3)] == [(0,), (1,), (2,)]
    assert replication_seeds(3, 1)[0].entropy == 3
    assert (
        replication_seeds(3, 2)[0].generate_state(2).tolist()
        != replication_seeds(4, 2)[0].generate_state(2).tolist()
    )
