# GFLv2 (Li et al., CVPR 2021, https://arxiv.org/abs/2011.12885) with ResNet-50 + FPN: mmdet's
# configs/gfl/gfl_r50_fpn_1x_coco.py with the head swapped for GFLV2Head (detection/models/gflv2_head.py)
# and one class (mmdet 3.x has GFL but not GFLv2: the head is this project's, see README "Detection").
model = dict(
    type='GFL',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        style='pytorch',
        # ImageNet weights; a local file: model.backbone.init_cfg.checkpoint=/path/resnet50.pth,
        # none: model.backbone.init_cfg=None (see configs/detection/README.md)
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    neck=dict(
        type='FPN',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        start_level=1,
        add_extra_convs='on_output',
        num_outs=5),
    bbox_head=dict(
        type='GFLV2Head',
        num_classes=1,
        in_channels=256,
        stacked_convs=4,
        feat_channels=256,
        reg_max=16,
        reg_topk=4,       # DGQP: top-4 bin probabilities per side
        reg_channels=64,  #   + their mean -> 4 x 5 = 20 -> 64 -> 1
        add_mean=True,
        anchor_generator=dict(
            type='AnchorGenerator',
            ratios=[1.0],
            octave_base_scale=8,
            scales_per_octave=1,
            strides=[8, 16, 32, 64, 128]),
        # the scores are sigmoid(cls) * quality, probabilities already: activated=True
        loss_cls=dict(
            type='QualityFocalLoss',
            use_sigmoid=True,
            activated=True,
            beta=2.0,
            loss_weight=1.0),
        loss_dfl=dict(type='DistributionFocalLoss', loss_weight=0.25),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0)),
    train_cfg=dict(
        assigner=dict(type='ATSSAssigner', topk=9),
        allowed_border=-1,
        pos_weight=-1,
        debug=False),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        nms=dict(type='nms', iou_threshold=0.6),
        max_per_img=100))
