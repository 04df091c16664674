# GFLv2 R50-FPN, 2x, on KAIST: MSFAM fusion computed on the fly, a batch at a time on the model's device (GPU):
# gflv2_fused_onthefly.py with the loader giving 4-channel pairs (LoadKaistPair: B, G, R, thermal, resized and
# flipped together) and the data preprocessor fusing them before normalising (FusionDetDataPreprocessor; the
# frozen fusion network is no part of the detector's parameters or checkpoints).
_base_ = './gflv2_fused_onthefly.py'
load_pair = dict(type='LoadKaistPair', kaist_root={{_base_.kaist_root}})
model = dict(data_preprocessor=dict(type='FusionDetDataPreprocessor', fusion='msfam'))
train_pipeline = [
    load_pair,
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(640, 512), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    load_pair,
    dict(type='Resize', scale=(640, 512), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
