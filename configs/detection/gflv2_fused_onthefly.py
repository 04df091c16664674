# GFLv2 R50-FPN, 2x, on KAIST: MSFAM fusion computed on the fly from the raw pairs, no fused image folder.
# gflv2_fused.py with the image loader replaced by LoadFusedKaistPair (fusion/integrations/mmdet_fusion.py) and the
# image prefix emptied; the annotations stay under data_root (tools/kaist_to_coco.py or tools/fuse_dataset.py),
# the pairs come from kaist_root/images/. Move it with --cfg-options
#   train_dataloader.dataset.pipeline.LoadFusedKaistPair.kaist_root=... (and test_dataloader's).
_base_ = './gflv2_fused.py'
custom_imports = dict(imports=['detection', 'fusion.integrations.mmdet_fusion'], allow_failed_imports=False)
kaist_root = 'data/kaist/'
load_pair = dict(type='LoadFusedKaistPair', kaist_root=kaist_root, fusion='msfam')
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
train_dataloader = dict(dataset=dict(data_prefix=dict(img=''), pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_prefix=dict(img=''), pipeline=test_pipeline))
test_dataloader = val_dataloader
