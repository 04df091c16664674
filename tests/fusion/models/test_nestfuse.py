"""NestFuse: shapes, pooling choice, parameters and multiply-adds against the official figures."""
import pytest
import torch

from fusion.models.complexity import count_macs, count_parameters
from fusion.models.nestfuse import NestFuse
from fusion.registry import FUSION_MODELS

TINY = dict(widths=(4, 6, 8, 10), stem_channels=4)


@pytest.mark.parametrize("pooling", ["avg", "max", "nuclear"])
@pytest.mark.parametrize(("h", "w"), [(33, 47), (47, 33)])
def test_forward_and_reconstruct_keep_the_size(pooling, h, w):
    model = FUSION_MODELS.build(dict(type="nestfuse", pooling=pooling, **TINY))
    vis, ir = torch.rand(1, 1, h, w), torch.rand(1, 1, h, w)
    assert model(vis, ir).shape == (1, 1, h, w)
    assert model.reconstruct(vis).shape == (1, 1, h, w)


def test_large_odd_size():
    model = NestFuse(**TINY)
    with torch.no_grad():
        assert model(torch.rand(1, 1, 433, 575), torch.rand(1, 1, 433, 575)).shape == (1, 1, 433, 575)


def test_fusing_identical_sources_is_reconstruction():
    model = NestFuse(**TINY).eval()
    x = torch.rand(1, 1, 24, 40)
    with torch.no_grad():
        assert torch.allclose(model(x, x), model.reconstruct(x), atol=1e-4)


def test_parameters_and_macs_match_the_official_network():
    with torch.device("meta"):
        model = NestFuse()
        x = torch.empty(1, 1, 256, 320)
    # the official auto-encoder (paper: 2.7 M); 95.2 G multiply-adds a pair at 320x256 measured on
    # the official code (hli1221/imagefusion-nestfuse, net.py, with the same counter)
    assert count_parameters(model) == 2_732_761
    assert count_macs(model, x, x) / 1e9 == pytest.approx(95.2, rel=0.01)
