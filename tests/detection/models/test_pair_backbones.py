"""Detectors fed both bands: the per-band preprocessor, early fusion's inflated first convolution (fed an image
and its luminance it responds as the RGB model fed the image), halfway fusion's two streams (both learn) and
where they meet."""
from __future__ import annotations

import copy

import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

import detection  # noqa: F401  (registers the models)
from detection.runs.config import CONFIG_DIR
from detection.models.stem_inflation import LUMA_RGB, reduce_to_grey, thermal_mean_for_inflation

#: ResNet-18 and a slim head: the same classes as the configs, small enough for the CPU.
SMALL = dict(backbone=dict(depth=18, init_cfg=None), neck=dict(in_channels=[64, 128, 256, 512], out_channels=32),
             bbox_head=dict(in_channels=32, feat_channels=32, stacked_convs=1))


def model_cfg(config: str, **backbone) -> Config:
    cfg = Config.fromfile(str(CONFIG_DIR / config))
    cfg.merge_from_dict({"model": copy.deepcopy(SMALL)})
    cfg.model.neck.in_channels = cfg.model.neck.in_channels[-len(cfg.model.backbone.out_indices):]
    cfg.model.backbone.update(backbone)
    return cfg.model


def build(cfg: Config, seed: int = 0) -> torch.nn.Module:
    init_default_scope("mmdet")
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_pair_configs_normalise_the_thermal_band_as_the_inflation_needs():
    for config in ("gflv2_early.py", "gflv2_halfway.py"):
        preprocessor = Config.fromfile(str(CONFIG_DIR / config)).model.data_preprocessor
        assert preprocessor.type == "MultiBandDetDataPreprocessor" and len(preprocessor.mean) == 4
        assert preprocessor.mean[3] == pytest.approx(thermal_mean_for_inflation(preprocessor.mean[:3]), abs=1e-3)


def test_the_preprocessor_normalises_each_band_and_swaps_the_first_three():
    init_default_scope("mmdet")
    preprocessor = MODELS.build(dict(type="MultiBandDetDataPreprocessor", mean=[1.0, 2.0, 3.0, 4.0],
                                     std=[1.0, 2.0, 4.0, 8.0], bgr_to_rgb=True, pad_size_divisor=32))
    image = torch.stack([torch.full((30, 40), v, dtype=torch.uint8) for v in (10, 20, 30, 40)])
    out = preprocessor(dict(inputs=[image], data_samples=[DetDataSample()]))["inputs"]
    assert out.shape == (1, 4, 32, 64)  # padded to multiples of 32
    assert out[0, :, 0, 0].tolist() == [(30 - 1) / 1, (20 - 2) / 2, (10 - 3) / 4, (40 - 4) / 8]
    assert out[0, :, 31, 63].tolist() == [0.0] * 4
    with pytest.raises(ValueError, match=r"\(4, H, W\)"):
        preprocessor(dict(inputs=[image[:3]], data_samples=[DetDataSample()]))


@pytest.fixture(scope="module")
def rgb_checkpoint(tmp_path_factory):
    """A 3-channel ResNet-18's weights (random, standing in for ImageNet's) as a local checkpoint, and the
    RGB detector they came from."""
    rgb = build(model_cfg("gflv2_visible.py"), seed=1)
    path = tmp_path_factory.mktemp("rgb") / "resnet18.pth"
    torch.save(rgb.backbone.state_dict(), path)
    return path, rgb


def luminance_pairs(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """BGR images (float 0..255) and the same with the luminance as a fourth band (B, G, R, Y)."""
    images = torch.rand(2, 3, 64, 96, generator=torch.Generator().manual_seed(seed)) * 255
    blue, green, red = images[:, 0], images[:, 1], images[:, 2]
    luma = LUMA_RGB[0] * red + LUMA_RGB[1] * green + LUMA_RGB[2] * blue
    return images, torch.cat([images, luma[:, None]], dim=1)


def test_early_fusion_inflated_from_rgb_responds_as_the_rgb_model_to_image_and_luminance(rgb_checkpoint):
    path, rgb = rgb_checkpoint
    early = build(model_cfg("gflv2_early.py", init_cfg=dict(type="Pretrained", checkpoint=str(path))), seed=2)
    early.neck.load_state_dict(rgb.neck.state_dict())
    early.bbox_head.load_state_dict(rgb.bbox_head.state_dict())
    assert early.backbone.conv1.weight.shape[1] == 4
    torch.testing.assert_close(early.backbone.layer3[0].conv1.weight, rgb.backbone.layer3[0].conv1.weight)
    rgb.eval(), early.eval()
    images, pairs = luminance_pairs()
    with torch.no_grad():
        expected = rgb._forward(rgb.data_preprocessor(dict(inputs=list(images)))["inputs"])
        got = early._forward(early.data_preprocessor(dict(inputs=list(pairs)))["inputs"])
    for level_expected, level_got in zip(sum(expected, []), sum(got, [])):
        torch.testing.assert_close(level_got, level_expected, rtol=1e-4, atol=1e-4)
    # the thermal band is not ignored: another thermal image changes the features
    pairs_other = pairs.clone()
    pairs_other[:, 3] = 255 - pairs_other[:, 3]
    with torch.no_grad():
        features = [early.extract_feat(early.data_preprocessor(dict(inputs=list(p)))["inputs"])[0]
                    for p in (pairs, pairs_other)]
    assert (features[0] - features[1]).abs().mean() > 1e-2 * features[0].abs().mean()


def test_reduced_grey_filters_respond_as_rgb_filters_fed_the_grey_image_up_to_a_constant():
    weight = torch.randn(8, 3, 5, 5, generator=torch.Generator().manual_seed(0))
    rgb_mean, rgb_std, grey_mean, grey_std = [120.0, 110.0, 100.0], [60.0, 55.0, 50.0], 117.0, 57.5
    grey = torch.rand(1, 1, 20, 20, generator=torch.Generator().manual_seed(1)) * 255
    as_rgb = torch.cat([(grey - m) / s for m, s in zip(rgb_mean, rgb_std)], dim=1)
    expected = torch.nn.functional.conv2d(as_rgb, weight)
    got = torch.nn.functional.conv2d((grey - grey_mean) / grey_std, reduce_to_grey(weight, rgb_std, grey_std))
    offset = expected - got  # constant over the image, per filter
    torch.testing.assert_close(offset, offset[..., :1, :1].expand_as(offset), rtol=0, atol=1e-3)


def train_batch(channels: int = 4) -> dict:
    torch.manual_seed(0)
    samples = []
    for _ in range(2):
        sample = DetDataSample(metainfo=dict(img_shape=(64, 96), ori_shape=(64, 96), scale_factor=(1.0, 1.0)))
        sample.gt_instances = InstanceData(bboxes=torch.tensor([[20.0, 10.0, 50.0, 60.0]]), labels=torch.tensor([0]))
        samples.append(sample)
    return dict(inputs=[torch.randint(0, 256, (channels, 64, 96), dtype=torch.uint8) for _ in range(2)],
                data_samples=samples)


def test_both_streams_of_halfway_fusion_receive_gradients():
    model = build(model_cfg("gflv2_halfway.py"))
    model.train()
    data = model.data_preprocessor(train_batch(), True)
    losses = model.loss(data["inputs"], data["data_samples"])
    model.parse_losses(losses)[0].backward()
    backbone = model.backbone
    for stream in (backbone.visible, backbone.thermal):
        assert not stream.layer3[0].bn1.training  # norm_eval: each stream's BatchNorm keeps its statistics
        assert stream.conv1.weight.grad is None  # frozen_stages=1: the stem and stage 1 stay as initialised
        for stage in (stream.layer2, stream.layer3, stream.layer4):
            grads = [p.grad for p in stage.parameters() if p.requires_grad]
            assert grads and all(g is not None for g in grads) and sum(g.abs().sum() for g in grads) > 0
    assert sorted(backbone.fusions) == ["1", "2", "3"]  # the levels the FPN takes
    assert all(fusion.conv.weight.grad.abs().sum() > 0 for fusion in backbone.fusions.values())


@pytest.mark.parametrize("stream_stages", [2, 4])
def test_halfway_streams_meet_where_the_config_says(stream_stages):
    model = build(model_cfg("gflv2_halfway.py", stream_stages=stream_stages))
    backbone = model.backbone.eval()
    assert len(backbone.thermal.res_layers) == stream_stages
    assert sorted(backbone.fusions) == [str(i) for i in range(1, stream_stages)]
    with torch.no_grad():
        features = backbone(torch.randn(1, 4, 64, 96))
    assert [f.shape[1] for f in features] == [128, 256, 512]
    assert [f.shape[-1] for f in features] == [12, 6, 3]
    with pytest.raises(ValueError, match="stream_stages"):
        build(model_cfg("gflv2_halfway.py", stream_stages=5))


def test_halfway_fusion_from_rgb_weights_starts_both_streams_from_them(rgb_checkpoint):
    path, rgb = rgb_checkpoint
    model = build(model_cfg("gflv2_halfway.py", init_cfg=dict(type="Pretrained", checkpoint=str(path))))
    backbone, band_std = model.backbone, model.backbone.band_std
    torch.testing.assert_close(backbone.visible.conv1.weight, rgb.backbone.conv1.weight)
    torch.testing.assert_close(backbone.thermal.layer2[0].conv1.weight, rgb.backbone.layer2[0].conv1.weight)
    torch.testing.assert_close(backbone.thermal.conv1.weight,
                               reduce_to_grey(rgb.backbone.conv1.weight, band_std[:3], band_std[3]))
