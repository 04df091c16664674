# MSFAM stage 2 (Sec. 3.3-3.6, 4.1; Table 3 "both"): the four attention fusion blocks trained between the stage-1
# encoder (frozen) and decoder (half rate), L1 + 0.84 constraint + 2 Push-Pull. Choices: configs/fusion/README.md.
_base_ = ['./_base_/runtime.py', './_base_/data.py']
phase = 'stage2_msfam'

task = dict(
    type='FusionTask',
    model=dict(type='msfam', residual=True),
    stage1_checkpoint=_base_.work_root + '/stage1_msfam/final.pth',
    classifier_checkpoint=_base_.work_root + '/classifier',  # a run folder: its best.pth, else final.pth
    loss=dict(type='FusionTotalLoss', alpha2=0.84, beta=2.0, l1_mode='mean',
              push_pull_cfg=dict(weighting='negative'), constraint_cfg=dict(satisfied_at=0.5)),
    lr_mult=dict(encoder=0.0, fusions=1.0, decoder=0.5),
    warm_start=None,
    reference='average',
    best_key='score')
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    dataset=dict(type='PairedFolderDataset', root=_base_.data_root + '/fusion', file_list=_base_.splits + '/train.txt',
                 crop_size=(320, 256), flip=True))
val_dataloader = dict(  # full-size pairs, scored in float32; test.txt chooses nothing
    num_workers=2,
    dataset=dict(type='PairedFolderDataset', root=_base_.data_root + '/fusion', file_list=_base_.splits + '/val.txt',
                 crop_size=None, flip=False))
optimizer = dict(type='Adam', lr=1e-4)
# 20 epochs of the 217 training pairs (54 batches of 4 each); validate_at_start: iteration 0 may become best.pth.
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=1, checkpoint_interval=54, validate_at_start=True)
