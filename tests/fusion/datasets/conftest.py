"""The KAIST of the index and annotation tests: a small synthetic one, and the real one when it is there."""
import pytest

from fusion.datasets.synthetic_kaist import make_synthetic_kaist


@pytest.fixture
def synthetic(tmp_path):
    """A small synthetic KAIST (4 sets x 2 frames, 96x80) and its frame ids."""
    root = tmp_path / "kaist"
    return root, make_synthetic_kaist(root, pairs_per_set=2, width=96, height=80)


@pytest.fixture
def kaist(shared_data):
    root = shared_data / "kaist"
    if not (root / "imageSets").is_dir():
        pytest.skip(f"KAIST not found at {root}")
    return root
