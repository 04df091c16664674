"""Nest encoder/decoder: any size from the minimum up, output of exactly the input's size."""
import pytest
import torch

from fusion.models.blocks import HINBlock, NestBlock
from fusion.models.handcrafted_fusion import HandcraftedFusion
from fusion.models.nest import MIN_INPUT_SIZE, NestDecoder, NestEncoder, NestFusionNetwork, upsample_to

WIDTHS = (4, 6, 8, 10)


@pytest.mark.parametrize(("h", "w"), [(5, 7), (4, 4), (3, 8)])
def test_upsample_to_pads_the_last_row_and_column(h, w):
    x = torch.randn(1, 2, h, w)
    up = upsample_to(x, torch.empty(1, 3, 2 * h + 1, 2 * w + 1))
    assert up.shape == (1, 2, 2 * h + 1, 2 * w + 1)
    assert torch.equal(up[..., : 2 * h : 2, : 2 * w : 2], x)
    assert torch.equal(up[..., -1, :], up[..., -2, :])
    assert torch.equal(up[..., -1], up[..., -2])
    assert torch.equal(upsample_to(x, torch.empty(1, 1, 2 * h, 2 * w)), up[..., :-1, :-1])


@pytest.mark.parametrize("block", [HINBlock, NestBlock])
def test_encoder_scales(block):
    encoder = NestEncoder(block, WIDTHS, stem_channels=4)
    feats = encoder(torch.rand(2, 1, 33, 47))
    assert [tuple(f.shape) for f in feats] == [(2, 4, 33, 47), (2, 6, 16, 23), (2, 8, 8, 11), (2, 10, 4, 5)]


@pytest.mark.parametrize("block", [HINBlock, NestBlock])
def test_minimum_size_is_accepted(block):
    encoder = NestEncoder(block, WIDTHS, stem_channels=4)
    decoder = NestDecoder(WIDTHS)
    x = torch.rand(1, 1, MIN_INPUT_SIZE, MIN_INPUT_SIZE + 3)
    assert decoder(encoder(x)).shape == x.shape


@pytest.mark.parametrize(("h", "w"), [(MIN_INPUT_SIZE - 1, 40), (40, 9)])
def test_too_small_input_raises_with_its_size(h, w):
    encoder = NestEncoder(NestBlock, WIDTHS, stem_channels=4)
    with pytest.raises(ValueError, match=f"{h}x{w}.*{MIN_INPUT_SIZE}"):
        encoder(torch.rand(1, 1, h, w))


def test_wrong_number_of_widths_raises():
    with pytest.raises(ValueError, match="4 scales"):
        NestEncoder(NestBlock, (4, 6, 8))
    with pytest.raises(ValueError, match="4 scales"):
        NestDecoder((4, 6, 8, 10, 12))


def _network():
    encoder = NestEncoder(HINBlock, WIDTHS, stem_channels=4)
    return NestFusionNetwork(encoder, [HandcraftedFusion() for _ in WIDTHS], NestDecoder(WIDTHS)).eval()


def test_batched_encoding_equals_separate_stages():
    torch.manual_seed(0)
    net = _network()
    vis, ir = torch.rand(2, 1, 21, 34), torch.rand(2, 1, 21, 34)
    expected = net.decode(net.fuse(net.encode(vis), net.encode(ir)))
    assert torch.allclose(net(vis, ir), expected, atol=1e-6)


def test_forward_rejects_mismatched_sources():
    with pytest.raises(ValueError, match="same shape"):
        _network()(torch.rand(1, 1, 20, 20), torch.rand(1, 1, 20, 21))


def test_fusion_count_must_match_scales():
    with pytest.raises(ValueError, match="4 fusion modules"):
        NestFusionNetwork(NestEncoder(NestBlock, WIDTHS, 4), [HandcraftedFusion()], NestDecoder(WIDTHS))


def test_output_convolution_runs_in_float32_under_autocast():
    torch.manual_seed(0)
    decoder = NestDecoder(WIDTHS).eval()
    features = [torch.rand(1, c, 16 >> i, 16 >> i) for i, c in enumerate(WIDTHS)]
    with torch.no_grad():
        reference = decoder(features)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            reduced = decoder(features)
            inner = decoder.db1_3.conv2.conv(torch.rand(1, decoder.db1_3.conv2.conv.in_channels, 4, 4))
    assert inner.dtype == torch.bfloat16  # autocast is on for the blocks
    assert reduced.dtype == torch.float32
    torch.testing.assert_close(reduced, reference, rtol=0, atol=0.05 * float(reference.abs().max()))
