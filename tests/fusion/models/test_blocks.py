"""HIN block, NestFuse block and reflection-padded conv layer."""
import pytest
import torch
import torch.nn.functional as F

from fusion.models.blocks import ConvLayer, HINBlock, NestBlock


def test_conv_layer_keeps_size_and_relu():
    layer = ConvLayer(3, 5, kernel_size=3)
    out = layer(torch.randn(2, 3, 7, 9))
    assert out.shape == (2, 5, 7, 9)
    assert out.min() >= 0
    linear = ConvLayer(3, 5, kernel_size=1, relu=False)
    assert linear(torch.randn(2, 3, 7, 9)).min() < 0


def test_nest_block_halves_then_projects():
    block = NestBlock(12, 7)
    assert block.conv1.conv.out_channels == 6
    assert block(torch.randn(1, 12, 5, 6)).shape == (1, 7, 5, 6)


@pytest.mark.parametrize("padding_mode", ["reflect", "zeros"])
def test_hin_block_shape(padding_mode):
    block = HINBlock(3, 8, padding_mode=padding_mode)
    assert block(torch.randn(2, 3, 11, 6)).shape == (2, 8, 11, 6)


def test_hin_block_normalises_the_first_half_only():
    torch.manual_seed(0)
    block = HINBlock(3, 8)
    x = torch.randn(2, 3, 10, 12) * 3 + 1
    seen = {}
    block.relu_1.register_forward_hook(lambda module, inputs, output: seen.update(pre_act=inputs[0]))
    block(x)
    conv_out = block.conv_1(x)
    pre_act = seen["pre_act"]
    # first half: instance-normalised (affine weight 1, bias 0 at init); second half: the raw conv output
    normed = pre_act[:, :4]
    assert torch.allclose(normed.mean(dim=(-2, -1)), torch.zeros(2, 4), atol=1e-5)
    assert torch.allclose(normed.var(dim=(-2, -1), unbiased=False), torch.ones(2, 4), atol=1e-3)
    assert torch.equal(pre_act[:, 4:], conv_out[:, 4:])


def test_hin_block_residual_is_a_1x1_conv_of_the_input():
    block = HINBlock(3, 4)
    torch.nn.init.zeros_(block.conv_2.weight)
    torch.nn.init.zeros_(block.conv_2.bias)
    x = torch.randn(1, 3, 6, 6)
    assert torch.allclose(block(x), block.identity(x))


@pytest.mark.parametrize("kernel_size", [1, 3, 5])
def test_conv_layer_equals_explicit_reflection_padding(kernel_size):
    torch.manual_seed(0)
    layer = ConvLayer(3, 4, kernel_size=kernel_size, relu=False)
    x = torch.rand(2, 3, 9, 11)
    padded = F.pad(x, (kernel_size // 2,) * 4, mode="reflect") if kernel_size > 1 else x
    torch.testing.assert_close(layer(x), F.conv2d(padded, layer.conv.weight, layer.conv.bias))
