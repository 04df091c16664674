# Stage 2 of MSFAM (Sec. 3.3 and 4.1): the four attention fusion blocks trained between the stage-1 encoder
# (frozen: learning rate 0) and decoder (half learning rate), with the frozen Semantic Constraint classifier:
# L1 + alpha2 L_constraint + beta L_pushpull, alpha2 = 0.84, beta = 2 (Tables 4-5), Adam 1e-4, batch 4,
# 320x256 crops, flips, 20 epochs on the training side of TNO + RoadScene (splits/train.txt, 241 pairs:
# 60 iterations an epoch). Every epoch the held-out pairs (splits/test.txt) are fused at full size and
# scored; best.pth keeps the best "score" (mean of EN, MS_SSIM, MI, SCD, CC, VIF, each divided by its
# value for the pixel average; see fusion/engine/evaluation.py).
# Needs the stage-1 and classifier checkpoints (override with --cfg-options task.stage1_checkpoint=...).
phase = 'stage2_msfam'
seed = 0
device = None
amp = dict(enabled=False, dtype='bfloat16')
data_root = '{{$MSFAM_SHARED_DATA:{{fileDirname}}/../../../shared/data}}'
splits = '{{fileDirname}}/splits'

task = dict(
    type='FusionTask',
    model=dict(type='msfam'),
    stage1_checkpoint='work_dirs/stage1_msfam/final.pth',
    classifier_checkpoint='work_dirs/classifier/best.pth',
    loss=dict(type='FusionTotalLoss', alpha2=0.84, beta=2.0, l1_mode='mean'),
    lr_mult=dict(encoder=0.0, fusions=1.0, decoder=0.5),
    reference='average',
    best_key='score')
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    dataset=dict(type='PairedFolderDataset', root=data_root + '/fusion', file_list=splits + '/train.txt',
                 crop_size=(320, 256), flip=True))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(type='PairedFolderDataset', root=data_root + '/fusion', file_list=splits + '/test.txt',
                 crop_size=None, flip=False))
optimizer = dict(type='Adam', lr=1e-4)
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=1, log_interval=10, checkpoint_interval=60,
                 time_budget=None)
