"""The OpenMMLab stack works here: mmcv's compiled ops, and mmdet's own GFL R50 trains and predicts."""
from __future__ import annotations

import math

import pytest
import torch
from mmengine.hub import get_config
from mmengine.optim import build_optim_wrapper
from mmengine.structures import InstanceData


def test_mmcv_nms_on_cpu():
    from mmcv.ops import nms

    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    dets, keep = nms(boxes, scores, iou_threshold=0.5)
    assert keep.tolist() == [0, 2]
    assert dets.shape == (2, 5)


@pytest.fixture(scope="module")
def gfl_model():
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules

    register_all_modules()
    cfg = get_config("mmdet::gfl/gfl_r50_fpn_1x_coco.py", pretrained=False)
    cfg.model.backbone.init_cfg = None
    cfg.model.test_cfg.score_thr = 0.0
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def tiny_batch() -> dict:
    from mmdet.structures import DetDataSample

    torch.manual_seed(0)
    image = torch.randint(0, 256, (3, 96, 128), dtype=torch.uint8)
    sample = DetDataSample(metainfo=dict(img_shape=(96, 128), ori_shape=(96, 128), scale_factor=(1.0, 1.0)))
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[20.0, 10.0, 60.0, 90.0]]), labels=torch.tensor([0]))
    return dict(inputs=[image], data_samples=[sample])


def test_gfl_r50_train_step(gfl_model):
    gfl_model.train()
    optim_wrapper = build_optim_wrapper(gfl_model, dict(optimizer=dict(type="SGD", lr=0.001, momentum=0.9)))
    before = gfl_model.bbox_head.gfl_cls.weight.detach().clone()
    log_vars = gfl_model.train_step(tiny_batch(), optim_wrapper)
    for name in ("loss_cls", "loss_bbox", "loss_dfl"):
        value = float(log_vars[name].detach())
        assert math.isfinite(value) and value > 0, name
    assert not torch.equal(before, gfl_model.bbox_head.gfl_cls.weight), "the step did not update the head"


def test_gfl_r50_predict_step(gfl_model):
    gfl_model.eval()
    with torch.no_grad():
        results = gfl_model.test_step(tiny_batch())
    pred = results[0].pred_instances
    assert pred.bboxes.shape[1] == 4 and len(pred.bboxes) > 0
    assert ((pred.scores >= 0) & (pred.scores <= 1)).all()
