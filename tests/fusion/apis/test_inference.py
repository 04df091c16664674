"""Inference API: colour and greyscale paths, output scaling, batching, checkpoints and their errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from fusion.apis import Fuser, build_fusion_model, load_fuser, save_fusion_checkpoint
from fusion.apis.inference import split_luma_chroma
from fusion.registry import FUSION_MODELS

TINY_MSFAM = dict(type="msfam", widths=(4, 6, 8, 10))


class ReturnVisible(nn.Module):
    def forward(self, vis: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
        return vis


def random_pair(height: int = 40, width: int = 56, colour: bool = True, seed: int = 0):
    rng = np.random.default_rng(seed)
    vis = rng.integers(0, 256, (height, width, 3) if colour else (height, width), dtype=np.uint8)
    ir = rng.integers(0, 256, (height, width), dtype=np.uint8)
    return vis, ir


def test_colour_path_keeps_visible_chroma():
    vis, ir = random_pair()
    fused = Fuser(ReturnVisible(), output="clip").fuse(vis, ir)
    assert fused.shape == vis.shape and fused.dtype == np.uint8
    luma_in, chroma_in = split_luma_chroma(vis)
    luma_out, chroma_out = split_luma_chroma(fused)
    # only the uint8 rounding of the BGR output separates them
    assert np.abs(chroma_out - chroma_in).max() < 2.5 / 255
    assert np.abs(luma_out - luma_in).max() < 1.5 / 255
    assert np.abs(fused.astype(int) - vis.astype(int)).max() <= 1


def test_greyscale_in_greyscale_out_and_thermal_made_grey():
    vis, ir = random_pair(colour=False)
    ir_bgr = np.repeat(ir[..., None], 3, axis=2)
    fused = Fuser(build_fusion_model("average"), output="clip").fuse(vis, ir_bgr)
    assert fused.shape == vis.shape
    expected = np.rint((vis.astype(np.float64) + ir) / 2)
    assert np.abs(fused.astype(int) - expected).max() <= 1


def test_minmax_stretches_to_full_range():
    vis, ir = random_pair(colour=False)
    vis = (vis // 4 + 60).astype(np.uint8)
    fused = Fuser(ReturnVisible(), output="minmax").fuse(vis, ir)
    assert fused.min() == 0 and fused.max() == 255


def test_batch_of_mixed_sizes_matches_single_pairs():
    pairs = [random_pair(40, 56, seed=0), random_pair(33, 47, seed=1), random_pair(40, 56, seed=2)]
    fuser = Fuser(build_fusion_model("laplacian"))
    batched = fuser.fuse_batch(pairs, batch_size=2)
    for (vis, ir), result in zip(pairs, batched):
        assert result.shape == vis.shape
        assert np.array_equal(result, fuser.fuse(vis, ir))


@pytest.mark.parametrize("vis_shape, ir_shape, message", [
    ((40, 56, 3), (40, 50), "differ in size"),
    ((40, 56, 4), (40, 56), "must be uint8"),
])
def test_bad_pairs_are_named(vis_shape, ir_shape, message):
    vis, ir = np.zeros(vis_shape, np.uint8), np.zeros(ir_shape, np.uint8)
    with pytest.raises(ValueError, match=message):
        Fuser(ReturnVisible()).fuse(vis, ir)


def test_checkpoint_round_trip(tmp_path):
    torch.manual_seed(0)
    model = FUSION_MODELS.build(TINY_MSFAM)
    path = tmp_path / "msfam.pth"
    save_fusion_checkpoint(path, model, TINY_MSFAM, meta={"epoch": 3})
    fuser = load_fuser("msfam", checkpoint=path)
    vis, ir = random_pair(32, 48, colour=False)
    tensors = [torch.from_numpy(a.astype(np.float32) / 255)[None, None] for a in (vis, ir)]
    with torch.no_grad():
        expected = model.eval()(*tensors)
    got = fuser.model(*tensors)
    torch.testing.assert_close(got, expected)


def test_architecture_mismatch_is_a_clear_error(tmp_path):
    model = FUSION_MODELS.build(TINY_MSFAM)
    path = tmp_path / "wrong.pth"
    save_fusion_checkpoint(path, model, dict(TINY_MSFAM, widths=(4, 6, 8, 12)))
    with pytest.raises(ValueError, match="does not match the MSFAM architecture.*shape"):
        load_fuser("msfam", checkpoint=path)


def test_checkpoint_of_another_method_is_refused(tmp_path):
    path = tmp_path / "msfam.pth"
    save_fusion_checkpoint(path, FUSION_MODELS.build(TINY_MSFAM), TINY_MSFAM)
    with pytest.raises(ValueError, match="not 'nestfuse'"):
        load_fuser("nestfuse", checkpoint=path)


def test_unknown_method_lists_the_registered_ones():
    with pytest.raises(KeyError, match="average"):
        build_fusion_model("no_such_method")


def test_missing_checkpoint_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_fuser("msfam", checkpoint=tmp_path / "absent.pth")


def test_trained_network_without_any_weights_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr("fusion.apis.inference.DEFAULT_WEIGHTS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="no checkpoint was given"):
        build_fusion_model("msfam")


@pytest.mark.parametrize("method", ["msfam", "nestfuse", "laplacian"])
def test_channels_last_equals_the_default_layout(method):
    torch.manual_seed(0)
    config = dict(TINY_MSFAM) if method == "msfam" else dict(type=method)
    if method == "nestfuse":
        config["widths"] = TINY_MSFAM["widths"]
    model = FUSION_MODELS.build(config)
    vis, ir = torch.rand(2, 1, 37, 50), torch.rand(2, 1, 37, 50)
    default = Fuser(model, channels_last=False).fuse_tensors(vis, ir)
    fast = Fuser(model, channels_last=True)
    weights = [p for p in fast.model.parameters() if p.dim() == 4 and p.shape[-1] == 3]
    assert all(w.is_contiguous(memory_format=torch.channels_last) and not w.is_contiguous() for w in weights)
    # outputs are min-max stretched to [0, 1]: 1e-4 is float rounding, far below one grey level (1/255)
    torch.testing.assert_close(fast.fuse_tensors(vis, ir), default, rtol=0, atol=1e-4)


@pytest.mark.parametrize("method", ["msfam", "nestfuse"])
def test_shipped_weights_load_with_no_arguments_and_match_their_card(method):
    from fusion.apis.inference import DEFAULT_WEIGHTS_DIR, default_checkpoint
    from fusion.utils.files import file_sha256

    path = default_checkpoint(method)
    assert path is not None and path.stat().st_size < 20 * 2**20
    assert f"sha256 `{file_sha256(path)}`" in (DEFAULT_WEIGHTS_DIR / "README.md").read_text()
    fused = load_fuser(method).fuse_tensors(torch.rand(1, 1, 32, 40), torch.rand(1, 1, 32, 40))
    assert fused.shape == (1, 1, 32, 40) and 0.0 <= float(fused.min()) <= float(fused.max()) <= 1.0
