"""GFLv2 head for MMDetection 3.x: GFL (v1) plus the Distribution-Guided Quality Predictor.

Generalized Focal Loss V2: Learning Reliable Localization Quality Estimation for Dense Object Detection,
X. Li, W. Wang, X. Hu, J. Li, J. Tang, J. Yang, CVPR 2021, https://arxiv.org/abs/2011.12885
(official code: https://github.com/implus/GFocalV2, an mmdet 2.x fork; MMDetection 3.x ships GFL v1 only).

GFLv2 keeps GFL's towers, its General distribution of box sides (DFL) and its losses, and estimates the
localization quality from the *shape* of that distribution: per side, the softmax over ``reg_max + 1`` bins,
its top-k probabilities and their mean (4 x (k + 1) = 20 numbers for k = 4) go through two 1x1 convolutions
(20 -> 64 -> ReLU -> 1) and a sigmoid. The joint score is ``sigmoid(cls) * quality``: already a probability.

:class:`GFLV2Head` therefore differs from mmdet's :class:`~mmdet.models.dense_heads.GFLHead` in three places:

- ``forward_single`` returns the joint probability instead of the classification logits;
- ``loss_by_feat_single`` uses the scores as QFL weight targets without a sigmoid, and the classification
  loss must be ``QualityFocalLoss(use_sigmoid=True, activated=True)`` (checked at construction);
- ``_predict_by_feat_single`` ranks the scores without a sigmoid.

A port that only adds the branch would apply the sigmoid twice (in training and in prediction).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import Scale
from mmdet.models.dense_heads import GFLHead
from mmdet.models.utils import filter_scores_and_topk
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox_overlaps
from mmdet.utils import ConfigType
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from torch import Tensor


class DGQP(nn.Module):
    """Distribution-Guided Quality Predictor of GFLv2: box-side distributions -> quality in (0, 1).

    Args:
        reg_max: largest value of the integral set ``{0, ..., reg_max}`` (``reg_max + 1`` bins per side).
        topk: number of largest bin probabilities kept per side.
        channels: hidden channels of the two 1x1 convolutions.
        add_mean: append the mean of the top-k probabilities to each side's statistics.

    Shape:
        - Input: ``(N, 4 * (reg_max + 1), H, W)`` distribution logits (before the softmax).
        - Output: ``(N, 1, H, W)`` quality in ``(0, 1)``.
    """

    def __init__(self, reg_max: int = 16, topk: int = 4, channels: int = 64, add_mean: bool = True) -> None:
        super().__init__()
        if not 1 <= topk <= reg_max + 1:
            raise ValueError(f"topk must lie in [1, reg_max + 1] = [1, {reg_max + 1}], got {topk}")
        self.reg_max = reg_max
        self.topk = topk
        self.add_mean = add_mean
        in_channels = 4 * (topk + int(add_mean))
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, channels, 1), nn.ReLU(inplace=True), nn.Conv2d(channels, 1, 1), nn.Sigmoid()
        )

    def forward(self, bbox_pred: Tensor) -> Tensor:
        """Quality of each location from the statistics of its four side distributions."""
        n, _, h, w = bbox_pred.shape
        prob = F.softmax(bbox_pred.reshape(n, 4, self.reg_max + 1, h, w), dim=2)
        stat, _ = prob.topk(self.topk, dim=2)
        if self.add_mean:
            stat = torch.cat([stat, stat.mean(dim=2, keepdim=True)], dim=2)
        return self.layers(stat.reshape(n, -1, h, w))


@MODELS.register_module()
class GFLV2Head(GFLHead):
    """GFLv2 head: :class:`GFLHead` whose scores are ``sigmoid(cls) * DGQP(box distributions)``.

    Args:
        num_classes: number of categories (excluding the background).
        in_channels: channels of the input feature maps.
        reg_topk: top-k bin probabilities per side fed to the DGQP (paper: 4).
        reg_channels: hidden channels of the DGQP (paper: 64).
        add_mean: append the mean of the top-k probabilities (paper: yes; 4 x 5 = 20 inputs).
        loss_cls: classification loss on the joint probabilities; must be an activated
            ``QualityFocalLoss`` (the default, beta 2.0).
        **kwargs: everything else :class:`GFLHead` takes (``reg_max``, ``loss_bbox``, ``anchor_generator``, ...).

    The DGQP's convolutions are initialised by :class:`GFLHead`'s ``init_cfg`` (normal, std 0.01, as in the
    official code), so the quality starts near 0.5.
    """

    def __init__(self, num_classes: int, in_channels: int, reg_topk: int = 4, reg_channels: int = 64,
                 add_mean: bool = True,
                 loss_cls: ConfigType = dict(type="QualityFocalLoss", use_sigmoid=True,  # noqa: B006 (mmdet's
                                             activated=True, beta=2.0, loss_weight=1.0),  # config-dict default)
                 **kwargs) -> None:
        self.reg_topk = reg_topk
        self.reg_channels = reg_channels
        self.add_mean = add_mean
        super().__init__(num_classes, in_channels, loss_cls=loss_cls, **kwargs)
        if not (getattr(self.loss_cls, "use_sigmoid", False) and getattr(self.loss_cls, "activated", False)):
            raise ValueError(
                "GFLV2Head scores are probabilities already: use "
                "loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, activated=True, beta=2.0)"
            )

    def _init_layers(self) -> None:
        """GFL's layers plus the DGQP."""
        super()._init_layers()
        self.dgqp = DGQP(self.reg_max, self.reg_topk, self.reg_channels, self.add_mean)

    def forward_single(self, x: Tensor, scale: Scale) -> tuple[Tensor, Tensor]:
        """Joint score and box distribution of one level.

        Returns:
            ``(cls_score, bbox_pred)``: ``sigmoid(cls) * quality`` ``(N, num_classes, H, W)`` in ``[0, 1]``,
            and the box distribution logits ``(N, 4 * (reg_max + 1), H, W)``.
        """
        cls_logit, bbox_pred = super().forward_single(x, scale)
        return cls_logit.sigmoid() * self.dgqp(bbox_pred), bbox_pred

    def loss_by_feat_single(self, anchors: Tensor, cls_score: Tensor, bbox_pred: Tensor, labels: Tensor,
                            label_weights: Tensor, bbox_targets: Tensor, stride: tuple[int, int],
                            avg_factor: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Losses of one level, as :meth:`GFLHead.loss_by_feat_single` with probabilities as scores.

        A copy of the parent (mmdet 3.3.0) because the sigmoid to drop sits in its middle. Changes: the
        weight targets are ``cls_score`` itself (no ``.sigmoid()``), and QFL runs in fp32 outside autocast
        (it is a ``binary_cross_entropy`` on probabilities, which CUDA autocast refuses: ``--amp``).
        """
        assert stride[0] == stride[1], "h stride is not equal to w stride!"
        anchors = anchors.reshape(-1, 4)
        cls_score = cls_score.permute(0, 2, 3, 1).reshape(-1, self.cls_out_channels)
        bbox_pred = bbox_pred.permute(0, 2, 3, 1).reshape(-1, 4 * (self.reg_max + 1))
        bbox_targets = bbox_targets.reshape(-1, 4)
        labels = labels.reshape(-1)
        label_weights = label_weights.reshape(-1)
        pos_inds = ((labels >= 0) & (labels < self.num_classes)).nonzero().squeeze(1)
        score = label_weights.new_zeros(labels.shape)

        if len(pos_inds) > 0:
            pos_bbox_pred = bbox_pred[pos_inds]
            pos_anchor_centers = self.anchor_center(anchors[pos_inds]) / stride[0]
            weight_targets = cls_score.detach().max(dim=1)[0][pos_inds]  # GFLHead: .sigmoid() here
            pos_decode_bbox_pred = self.bbox_coder.decode(pos_anchor_centers, self.integral(pos_bbox_pred))
            pos_decode_bbox_targets = bbox_targets[pos_inds] / stride[0]
            score[pos_inds] = bbox_overlaps(pos_decode_bbox_pred.detach(), pos_decode_bbox_targets, is_aligned=True)
            pred_corners = pos_bbox_pred.reshape(-1, self.reg_max + 1)
            target_corners = self.bbox_coder.encode(pos_anchor_centers, pos_decode_bbox_targets,
                                                    self.reg_max).reshape(-1)
            loss_bbox = self.loss_bbox(pos_decode_bbox_pred, pos_decode_bbox_targets, weight=weight_targets,
                                       avg_factor=1.0)
            loss_dfl = self.loss_dfl(pred_corners, target_corners,
                                     weight=weight_targets[:, None].expand(-1, 4).reshape(-1), avg_factor=4.0)
        else:
            loss_bbox = bbox_pred.sum() * 0
            loss_dfl = bbox_pred.sum() * 0
            weight_targets = bbox_pred.new_tensor(0)

        with torch.autocast(device_type=cls_score.device.type, enabled=False):
            loss_cls = self.loss_cls(cls_score.float(), (labels, score), weight=label_weights,
                                     avg_factor=avg_factor)
        return loss_cls, loss_bbox, loss_dfl, weight_targets.sum()

    def _predict_by_feat_single(self, cls_score_list: list[Tensor], bbox_pred_list: list[Tensor],
                                score_factor_list: list[Tensor], mlvl_priors: list[Tensor], img_meta: dict,
                                cfg: ConfigDict | None, rescale: bool = False,
                                with_nms: bool = True) -> InstanceData:
        """Boxes of one image, as :meth:`GFLHead._predict_by_feat_single` without the sigmoid on the scores.

        A copy of the parent's loop (mmdet 3.3.0) because the sigmoid sits inside it; the scores are
        already probabilities. ``score_factor_list`` is unused (the quality is inside the scores).
        """
        cfg = self.test_cfg if cfg is None else cfg
        mlvl_bboxes, mlvl_scores, mlvl_labels = [], [], []
        for cls_score, bbox_pred, stride, priors in zip(cls_score_list, bbox_pred_list,
                                                        self.prior_generator.strides, mlvl_priors):
            assert cls_score.size()[-2:] == bbox_pred.size()[-2:] and stride[0] == stride[1]
            bbox_pred = self.integral(bbox_pred.permute(1, 2, 0)) * stride[0]
            scores = cls_score.permute(1, 2, 0).reshape(-1, self.cls_out_channels)  # GFLHead: .sigmoid()
            scores, labels, _, kept = filter_scores_and_topk(scores, cfg.score_thr, cfg.get("nms_pre", -1),
                                                             dict(bbox_pred=bbox_pred, priors=priors))
            mlvl_bboxes.append(self.bbox_coder.decode(self.anchor_center(kept["priors"]), kept["bbox_pred"],
                                                      max_shape=img_meta["img_shape"]))
            mlvl_scores.append(scores)
            mlvl_labels.append(labels)
        results = InstanceData(bboxes=torch.cat(mlvl_bboxes), scores=torch.cat(mlvl_scores),
                               labels=torch.cat(mlvl_labels))
        return self._bbox_post_process(results=results, cfg=cfg, rescale=rescale, with_nms=with_nms,
                                       img_meta=img_meta)
