# The demo's GFLv2 detectors (tools/demo.py): configs/detection's, made quick for the synthetic KAIST on a CPU.
# From scratch (no ImageNet weights), 2 epochs in batches of 4 (warm-up over 5 iterations), in-process data
# loading, validation only after the last epoch, every detection scored (score_thr 0) and a log line each
# iteration. tools/demo.py sets the data root, the epochs and the Resize scale (the image size) by name:
#   python tools/train_det.py configs/demo/gflv2_fused.py --data-root outputs/demo/kaist_fused \
#       --cfg-options train_dataloader.dataset.pipeline.Resize.scale='(320,256)'
_base_ = ['../../detection/gflv2_visible.py']

data_root = 'outputs/demo/kaist_fused/'
train_ann_file = 'annotations/synthetic-train.json'
test_ann_file = 'annotations/synthetic-test.json'

model = dict(backbone=dict(init_cfg=None), test_cfg=dict(score_thr=0.0))
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file=train_ann_file))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file=test_ann_file))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + test_ann_file)
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=2, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=5),  # warm-up
    dict(type='MultiStepLR', begin=0, end=24, by_epoch=True, milestones=[16, 22], gamma=0.1)
]
default_hooks = dict(logger=dict(interval=1))
