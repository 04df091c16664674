"""GFLV2Head: DGQP shapes and range, losses with and without ground truth, gradients, and one sigmoid only."""
from __future__ import annotations

import math

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

import detection  # noqa: F401  (registers GFLV2Head)
from detection.models import DGQP, GFLV2Head

IMAGE_SIZE = (64, 64)  # (H, W)
STRIDES = [8, 16, 32, 64, 128]


def build_head(**overrides) -> GFLV2Head:
    """A tiny single-class head with the project's GFL settings (ATSS, GIoU, DFL)."""
    cfg = dict(
        type="GFLV2Head", num_classes=1, in_channels=8, feat_channels=16, stacked_convs=1,
        norm_cfg=dict(type="GN", num_groups=4, requires_grad=True),
        anchor_generator=dict(type="AnchorGenerator", ratios=[1.0], octave_base_scale=8, scales_per_octave=1,
                              strides=STRIDES),
        loss_bbox=dict(type="GIoULoss", loss_weight=2.0),
        train_cfg=ConfigDict(assigner=dict(type="ATSSAssigner", topk=9), allowed_border=-1, pos_weight=-1,
                             debug=False),
        test_cfg=ConfigDict(nms_pre=1000, min_bbox_size=0, score_thr=0.0, nms=dict(type="nms", iou_threshold=0.6),
                            max_per_img=100),
    )
    cfg.update(overrides)
    torch.manual_seed(0)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def features(batch: int = 1) -> list[torch.Tensor]:
    torch.manual_seed(1)
    return [torch.rand(batch, 8, math.ceil(IMAGE_SIZE[0] / s), math.ceil(IMAGE_SIZE[1] / s)) for s in STRIDES]


def metas(batch: int = 1) -> list[dict]:
    return [dict(img_shape=IMAGE_SIZE, pad_shape=IMAGE_SIZE, scale_factor=(1.0, 1.0))] * batch


def gt(boxes: list[list[float]]) -> InstanceData:
    return InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
                        labels=torch.zeros(len(boxes), dtype=torch.long))


@pytest.fixture
def head() -> GFLV2Head:
    return build_head()


def record_outputs(module: torch.nn.Module) -> list[torch.Tensor]:
    """Outputs of ``module`` on every call (a forward hook)."""
    outputs: list[torch.Tensor] = []
    module.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach()))
    return outputs


def test_dgqp_statistics_and_range():
    dgqp = DGQP(reg_max=16, topk=4, channels=64)
    assert dgqp.layers[0].in_channels == 20 and dgqp.layers[0].out_channels == 64
    assert dgqp.layers[2].out_channels == 1
    quality = dgqp(torch.randn(2, 68, 5, 3) * 10)
    assert quality.shape == (2, 1, 5, 3)
    assert ((quality > 0) & (quality < 1)).all()
    with pytest.raises(ValueError, match="topk"):
        DGQP(reg_max=2, topk=4)


def test_dgqp_sees_only_the_sorted_top_k():
    """Permuting the bins of a side leaves the top-k statistics, hence the quality, unchanged."""
    torch.manual_seed(0)
    dgqp = DGQP(reg_max=16, topk=4)
    logits = torch.randn(1, 68, 2, 2)
    permuted = logits.reshape(1, 4, 17, 2, 2)[:, :, torch.randperm(17)].reshape(1, 68, 2, 2)
    torch.testing.assert_close(dgqp(logits), dgqp(permuted))


def test_forward_shapes_and_score_range(head):
    cls_scores, bbox_preds = head(features(batch=2))
    assert len(cls_scores) == len(bbox_preds) == len(STRIDES)
    for cls_score, bbox_pred, stride in zip(cls_scores, bbox_preds, STRIDES):
        size = (math.ceil(IMAGE_SIZE[0] / stride), math.ceil(IMAGE_SIZE[1] / stride))
        assert cls_score.shape == (2, 1, *size)
        assert bbox_pred.shape == (2, 4 * 17, *size)
        assert ((cls_score >= 0) & (cls_score <= 1)).all()


def test_score_is_sigmoid_cls_times_quality(head):
    logits, qualities = record_outputs(head.gfl_cls), record_outputs(head.dgqp)
    cls_scores, _ = head(features())
    for cls_score, logit, quality in zip(cls_scores, logits, qualities):
        torch.testing.assert_close(cls_score, logit.sigmoid() * quality)


def test_rejects_a_loss_that_expects_logits():
    with pytest.raises(ValueError, match="activated=True"):
        build_head(loss_cls=dict(type="QualityFocalLoss", use_sigmoid=True, beta=2.0, loss_weight=1.0))


def test_losses_without_ground_truth(head):
    losses = head.loss_by_feat(*head(features()), [gt([])], metas())
    assert sum(losses["loss_cls"]).item() > 0
    assert sum(losses["loss_bbox"]).item() == 0
    assert sum(losses["loss_dfl"]).item() == 0


def test_losses_with_one_box_are_positive_and_reach_the_dgqp(head):
    losses = head.loss_by_feat(*head(features()), [gt([[10.0, 8.0, 40.0, 60.0]])], metas())
    for name in ("loss_cls", "loss_bbox", "loss_dfl"):
        value = sum(losses[name])
        assert math.isfinite(value.item()) and value.item() > 0, name
    sum(losses["loss_cls"]).backward()
    for name, param in head.dgqp.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, f"no gradient reaches dgqp.{name}"
    assert head.gfl_reg.weight.grad.abs().sum() > 0, "QFL through the DGQP must also train the distributions"


def test_no_second_sigmoid_in_training(head, monkeypatch):
    """QFL gets sigmoid(cls) * quality; GIoU/DFL weights are those same probabilities at the positives."""
    logits, qualities = record_outputs(head.gfl_cls), record_outputs(head.dgqp)
    qfl_inputs, bbox_weights = [], []
    qfl_forward, giou_forward = head.loss_cls.forward, head.loss_bbox.forward

    def spy_qfl(pred, target, **kwargs):
        qfl_inputs.append(pred.detach())
        return qfl_forward(pred, target, **kwargs)

    def spy_giou(pred, target, weight=None, **kwargs):
        bbox_weights.append(weight.detach())
        return giou_forward(pred, target, weight=weight, **kwargs)

    monkeypatch.setattr(head.loss_cls, "forward", spy_qfl)
    monkeypatch.setattr(head.loss_bbox, "forward", spy_giou)
    head.loss_by_feat(*head(features()), [gt([[10.0, 8.0, 40.0, 60.0]])], metas())

    expected = torch.cat([(lg.sigmoid() * q).permute(0, 2, 3, 1).reshape(-1, 1) for lg, q in zip(logits, qualities)])
    torch.testing.assert_close(torch.cat(qfl_inputs), expected)
    weights = torch.cat(bbox_weights)
    assert len(weights) > 0
    # every weight is one of the scores (a sigmoid of them would lie in (0.5, 0.74))
    assert (weights[:, None] - expected[:, 0][None]).abs().min(dim=1)[0].max() < 1e-6


def test_classification_loss_runs_in_fp32_under_autocast(head, monkeypatch):
    dtypes = []
    qfl_forward = head.loss_cls.forward
    monkeypatch.setattr(head.loss_cls, "forward", lambda pred, target, **kw: (dtypes.append(pred.dtype),
                                                                               qfl_forward(pred, target, **kw))[1])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        losses = head.loss_by_feat(*head(features()), [gt([[10.0, 8.0, 40.0, 60.0]])], metas())
    assert set(dtypes) == {torch.float32}
    assert all(math.isfinite(v.item()) for v in losses["loss_cls"])


def test_predict_returns_boxes_with_unsquashed_scores(head):
    cls_scores, bbox_preds = head(features())
    results = head.predict_by_feat(cls_scores, bbox_preds, batch_img_metas=metas(), rescale=False)
    pred = results[0]
    assert len(pred.bboxes) > 0 and pred.bboxes.shape[1] == 4
    assert ((pred.scores >= 0) & (pred.scores <= 1)).all()
    assert (pred.bboxes[:, 2:] >= pred.bboxes[:, :2]).all()
    assert (pred.bboxes[:, 2] <= IMAGE_SIZE[1]).all() and (pred.bboxes[:, 3] <= IMAGE_SIZE[0]).all()
    # NMS keeps the best box, whose score is the best joint probability itself (not its sigmoid)
    best = max(s.max() for s in cls_scores)
    torch.testing.assert_close(pred.scores.max(), best)


def test_predict_respects_score_threshold(head):
    cls_scores, bbox_preds = head(features())
    threshold = float(torch.cat([s.detach().flatten() for s in cls_scores]).median())
    cfg = ConfigDict(head.test_cfg, score_thr=threshold)
    pred = head.predict_by_feat(cls_scores, bbox_preds, batch_img_metas=metas(), cfg=cfg)[0]
    assert len(pred.scores) > 0 and (pred.scores > threshold).all()


def test_with_quality_one_it_is_gfl_v1():
    """Pin the DGQP to quality 1: losses and detections equal mmdet's GFLHead with the same weights."""
    v2 = build_head()
    torch.nn.init.zeros_(v2.dgqp.layers[2].weight)
    torch.nn.init.constant_(v2.dgqp.layers[2].bias, 50.0)  # sigmoid(50) == 1 in fp32
    v1 = build_head(type="GFLHead", loss_cls=dict(type="QualityFocalLoss", use_sigmoid=True, beta=2.0, loss_weight=1.0))
    v1.load_state_dict({k: v for k, v in v2.state_dict().items() if not k.startswith("dgqp.")})
    batch_gt = [gt([[10.0, 8.0, 40.0, 60.0], [30.0, 20.0, 50.0, 44.0]])]
    out_v1, out_v2 = v1(features()), v2(features())
    losses_v1 = v1.loss_by_feat(*out_v1, batch_gt, metas())
    losses_v2 = v2.loss_by_feat(*out_v2, batch_gt, metas())
    for name in ("loss_cls", "loss_bbox", "loss_dfl"):
        torch.testing.assert_close(sum(losses_v2[name]), sum(losses_v1[name]), rtol=1e-4, atol=1e-6)
    pred_v1 = v1.predict_by_feat(*out_v1, batch_img_metas=metas())[0]
    pred_v2 = v2.predict_by_feat(*out_v2, batch_img_metas=metas())[0]
    torch.testing.assert_close(pred_v2.bboxes, pred_v1.bboxes)
    torch.testing.assert_close(pred_v2.scores, pred_v1.scores)
