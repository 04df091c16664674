"""Training-free baselines: contract, exactness on identical inputs, edge keeping, batching."""
from __future__ import annotations

import pytest
import torch

from fusion.models.classical import AverageFusion, LaplacianFusion, TIFFusion
from fusion.models.classical_laplacian import collapse_laplacian_pyramid, laplacian_pyramid, max_pyramid_levels
from fusion.registry import FUSION_MODELS

NAMES = ["average", "tif", "laplacian"]


def _pair(b: int = 2, h: int = 37, w: int = 53, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(b, 1, h, w, generator=g), torch.rand(b, 1, h, w, generator=g)


def _step_edge_pair(h: int = 37, w: int = 53) -> tuple[torch.Tensor, torch.Tensor]:
    """Visible: a vertical step 0.2 -> 0.8 at column w // 2. Infrared: flat there, a bright blob far off."""
    vis = torch.full((1, 1, h, w), 0.2)
    vis[..., w // 2:] = 0.8
    ir = torch.full((1, 1, h, w), 0.5)
    ir[..., 2:8, 2:8] = 0.9
    return vis, ir


def _edge_strength(image: torch.Tensor, col: int) -> float:
    """Mean jump across the edge at ``col`` over the rows away from the blob."""
    return (image[0, 0, 12:, col + 1] - image[0, 0, 12:, col - 2]).abs().mean().item()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [(37, 53), (16, 16), (5, 7)])
def test_registered_and_shape_at_odd_sizes(name: str, size: tuple[int, int]) -> None:
    model = FUSION_MODELS.build(dict(type=name))
    assert not list(model.parameters())
    vis, ir = _pair(2, *size)
    out = model(vis, ir)
    assert out.shape == vis.shape and out.dtype == torch.float32
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_identical_inputs_give_the_input_back(name: str, dtype: torch.dtype) -> None:
    x, _ = _pair(2)
    x = x.to(dtype)
    out = FUSION_MODELS.build(dict(type=name))(x, x.clone())
    assert out.dtype == dtype
    torch.testing.assert_close(out, x, atol=1e-5, rtol=0)


def test_average_is_arithmetic_mean() -> None:
    vis, ir = _pair()
    torch.testing.assert_close(AverageFusion()(vis, ir), (vis + ir) / 2)


@pytest.mark.parametrize("name", ["tif", "laplacian"])
def test_keeps_an_edge_present_in_one_source(name: str) -> None:
    vis, ir = _step_edge_pair()
    col = vis.shape[-1] // 2
    source = _edge_strength(vis, col)
    averaged = _edge_strength(AverageFusion()(vis, ir), col)
    fused = _edge_strength(FUSION_MODELS.build(dict(type=name))(vis, ir), col)
    assert averaged == pytest.approx(source / 2, rel=1e-5)
    assert fused > 0.85 * source > averaged


@pytest.mark.parametrize("name", NAMES)
def test_batch_equals_per_sample(name: str) -> None:
    model = FUSION_MODELS.build(dict(type=name))
    vis, ir = _pair(3, 21, 30, seed=1)
    batched = model(vis, ir)
    singles = torch.cat([model(vis[i:i + 1], ir[i:i + 1]) for i in range(3)])
    torch.testing.assert_close(batched, singles, atol=1e-6, rtol=0)


def test_mismatched_inputs_raise() -> None:
    vis, ir = _pair()
    with pytest.raises(ValueError, match="differ in shape"):
        TIFFusion()(vis, ir[..., :-1])
    with pytest.raises(ValueError, match=r"\(B, 1, H, W\)"):
        LaplacianFusion()(vis.expand(-1, 3, -1, -1), ir.expand(-1, 3, -1, -1))


def test_tif_flat_inputs_average_with_equal_weights() -> None:
    vis, ir = torch.full((1, 1, 9, 11), 0.3), torch.full((1, 1, 9, 11), 0.7)
    torch.testing.assert_close(TIFFusion()(vis, ir), torch.full_like(vis, 0.5))


def test_tif_detail_weight_follows_saliency() -> None:
    vis, ir = _step_edge_pair()
    tif = TIFFusion()
    sal_vis, sal_ir = tif.saliency(vis), tif.saliency(ir)
    near_edge = (slice(None), slice(None), slice(26, None), slice(20, 33))  # 17 px from the blob
    assert (sal_ir[near_edge] == 0).all() and (sal_vis[near_edge] > 0).any()


@pytest.mark.parametrize("size", [(37, 53), (64, 48), (3, 3)])
def test_laplacian_pyramid_reconstructs_exactly(size: tuple[int, int]) -> None:
    x = torch.rand(2, 1, *size, dtype=torch.float64)
    levels = max_pyramid_levels(*size)
    pyramid = laplacian_pyramid(x, levels)
    assert len(pyramid) == levels + 1
    torch.testing.assert_close(collapse_laplacian_pyramid(pyramid), x, atol=1e-12, rtol=0)


def test_laplacian_levels_clamp_and_options() -> None:
    assert max_pyramid_levels(37, 53) == 5 and max_pyramid_levels(2, 100) == 0
    vis, ir = _pair(1, 12, 12)
    deep = LaplacianFusion(num_levels=None)(vis, ir)
    torch.testing.assert_close(LaplacianFusion(num_levels=50)(vis, ir), deep)
    x = vis.double()
    torch.testing.assert_close(LaplacianFusion(activity_window=3)(x, x), x, atol=1e-12, rtol=0)
    with pytest.raises(ValueError, match="odd"):
        LaplacianFusion(activity_window=2)
