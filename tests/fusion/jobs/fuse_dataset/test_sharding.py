"""Shards: disjoint, covering, parsed from i/n or from torchrun's environment."""
import pytest

from fusion.jobs.fuse_dataset.sharding import Shard, parse_shard, shard_from_env


@pytest.mark.parametrize("count", [1, 2, 3, 7, 30])
def test_shards_cover_every_item_exactly_once(count):
    items = [f"set{s:02d}/V000/I{i:05d}" for s in range(3) for i in range(9)]
    parts = [Shard(i, count).select(items) for i in range(count)]
    assert sorted(x for part in parts for x in part) == sorted(items)
    assert sum(len(p) for p in parts) == len(items)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_parse_and_str_round_trip():
    assert parse_shard("1/4") == Shard(1, 4) and str(Shard(1, 4)) == "1/4"
    for bad in ("4/4", "-1/2", "1", "a/b", "0/0", "1/2/3"):
        with pytest.raises(ValueError, match="i/n"):
            parse_shard(bad)


def test_shard_from_torchrun_environment():
    assert shard_from_env({}) is None
    assert shard_from_env({"RANK": "3", "WORLD_SIZE": "8"}) == Shard(3, 8)
    with pytest.raises(ValueError):
        shard_from_env({"RANK": "8", "WORLD_SIZE": "8"})
