"""plan_batches: one size per batch, sorted consecutive frames, and shards of batches that cover every frame once."""
from pathlib import Path

from fusion.jobs.fuse_dataset import Shard, plan_batches
from fusion.jobs.fuse_dataset.frames import PairFrame, SourceFrame


def frame(frame_id: str, width: int = 640, height: int = 512) -> SourceFrame:
    return SourceFrame(PairFrame(frame_id, Path("v.jpg"), Path("l.jpg")), width, height)


def test_batches_hold_consecutive_frames_of_one_size():
    frames = [frame(f"set06/V000/I{i:05d}") for i in range(10, 0, -1)] + [frame("set06/V001/I00001", 320, 256)]
    batches = plan_batches(frames, 4)
    assert [[f.frame_id[-2:] for f in b] for b in batches] == \
        [["01", "02", "03", "04"], ["05", "06", "07", "08"], ["09", "10"], ["01"]]
    assert all(len({(f.width, f.height) for f in b}) == 1 for b in batches)


def test_shards_of_batches_cover_every_frame_once():
    frames = [frame(f"set{s:02d}/V000/I{i:05d}") for s in (6, 9) for i in range(13)]
    for count in (1, 2, 3, 5):
        shards = [Shard(i, count).select(plan_batches(frames, 3)) for i in range(count)]
        ids = [f.frame_id for shard in shards for batch in shard for f in batch]
        assert sorted(ids) == sorted(f.frame_id for f in frames) and len(ids) == len(set(ids))
