# The demo's MSFAM stage 2 (tools/demo.py, when no weights are shipped): configs/fusion/stage2_msfam.py on the
# demo's stage 1 (task.stage1_checkpoint), without the Semantic Constraint classifier (alpha2 = 0), with plain
# fusion blocks, on the synthetic KAIST's training pairs (96x80 crops), 60 iterations at lr 1e-3, no validation.
# tools/demo.py sets the data root, the device, the iterations, the stage-1 checkpoint and the batch size (at
# most the number of pairs).
_base_ = ['../fusion/stage2_msfam.py']
phase = 'demo_stage2_msfam'
data_root = '{{$MSFAM_DATA:outputs/demo/synthetic_kaist}}'
widths = (16, 28, 40, 52)  # as stage1_msfam.py

task = dict(
    model=dict(residual=False, widths=widths),
    stage1_checkpoint='outputs/demo/weights/stage1_msfam/final.pth',
    classifier_checkpoint=None,
    loss=dict(alpha2=0.0, push_pull_cfg=dict(levels=3, win_size=5)))
train_dataloader = dict(
    num_workers=0,
    dataset=dict(_delete_=True, type='KaistPairDataset', root=data_root, split='synthetic-train', crop_size=(96, 80)))
val_dataloader = None
optimizer = dict(lr=1e-3)
train_cfg = dict(_delete_=True, by_epoch=False, max_iters=60, log_interval=10, checkpoint_interval=60)
