"""Infrared target contrast (ITC) on constructed scenes: warm targets on a textured or flat background."""
import numpy as np
import pytest

from fusion.metrics import infrared_target_contrast, infrared_target_mask, local_contrast, person_target_contrast


def scene(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 120x160 infrared frame with two warm 'people' (bright rectangles) and a textured visible frame."""
    rng = np.random.default_rng(seed)
    ir = np.full((120, 160), 60.0) + rng.normal(0, 2, (120, 160))
    ir[40:80, 30:42] = 200.0
    ir[50:90, 110:118] = 180.0
    yy, xx = np.mgrid[:120, :160]
    vis = 110 + 40 * np.sin(xx / 3.0) * np.cos(yy / 5.0)
    return ir, vis


def test_targets_are_the_warm_objects():
    ir, _ = scene()
    mask = infrared_target_mask(ir)
    people = np.zeros_like(mask)
    people[40:80, 30:42] = people[50:90, 110:118] = True
    assert mask.sum() == pytest.approx(0.02 * mask.size, rel=0.1)
    assert (mask & people).sum() == mask.sum()   # every target pixel lies on a person


def test_reference_values():
    ir, vis = scene()
    assert infrared_target_contrast(ir, ir) == pytest.approx(1.0)
    assert infrared_target_contrast(ir, 2 * ir) == pytest.approx(2.0)      # stretched targets count more
    assert infrared_target_contrast(ir, ir + 50) == pytest.approx(1.0)     # an offset changes nothing
    flat = np.full_like(ir, 128.0)
    assert infrared_target_contrast(ir, (ir + flat) / 2) == pytest.approx(0.5)
    assert abs(infrared_target_contrast(ir, vis)) < 0.15                   # the visible frame has no target


def test_ranks_a_fusion_that_keeps_the_targets_above_the_average():
    ir, vis = scene()
    average = (ir + vis) / 2
    keeps_targets = np.maximum(ir, vis)
    assert infrared_target_contrast(ir, keeps_targets) > infrared_target_contrast(ir, average) + 0.1


def test_constant_infrared_has_no_target():
    ir = np.full((64, 64), 90.0)
    assert not infrared_target_mask(ir).any()
    assert np.isnan(infrared_target_contrast(ir, ir))


def test_local_contrast_of_a_constant_is_zero_and_errors_are_clear():
    assert np.allclose(local_contrast(np.full((32, 48), 7.0), 3.0), 0.0)
    with pytest.raises(ValueError, match="top_fraction"):
        infrared_target_mask(np.zeros((16, 16)), top_fraction=0.0)
    with pytest.raises(ValueError):
        infrared_target_contrast(np.zeros((16, 16)), np.zeros((16, 17)))


def test_person_target_contrast_counts_the_warm_pixels_of_the_boxes_only():
    ir = np.full((64, 80), 60.0)
    ir[20:40, 10:18] = 200.0  # a warm person, boxed
    ir[20:40, 60:68] = 200.0  # a hot object, not boxed
    person = [(8.0, 18.0, 12.0, 24.0)]
    kept, source = person_target_contrast(ir, ir, person)
    assert source > 0 and kept == pytest.approx(source)
    halved = ir.copy()
    halved[20:40, 10:18] = 130.0  # the person at half its contrast, the hot object untouched
    kept, source = person_target_contrast(ir, halved, person)
    assert kept / source == pytest.approx(0.5, abs=0.05)
    assert person_target_contrast(ir, ir, []) == (0.0, 0.0)
