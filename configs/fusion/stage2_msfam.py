# Stage 2 of MSFAM (Sec. 3.3 and 4.1): the four attention fusion blocks trained between the stage-1 encoder
# (frozen: learning rate 0) and decoder (half learning rate), with the frozen Semantic Constraint classifier:
# L1 + alpha2 L_constraint + beta L_pushpull, alpha2 = 0.84, beta = 2 (Tables 4-5), Adam 1e-4, batch 4,
# 320x256 crops, flips, 20 epochs on the training side of TNO + RoadScene (splits/train.txt, 217 pairs:
# 54 iterations an epoch).
# This project's decisions (configs/fusion/README.md): Push-Pull with negative feedback (the source the fused
# image keeps less weighs more; the literal Algorithm 2 is weighting='literal'); residual fusion blocks (the
# paper's attention block as a zero-initialised correction of NestFuse's hand-designed fusion), so that
# iteration 0 fuses exactly like the stage-1 network with hand-designed fusion ("Rec"); a classifier of at
# least 0.90 balanced accuracy; the Semantic Constraint satisfied once the classifier sees each source with
# p >= 0.5 (unbounded, a network trained through the frozen classifier learns to fool it: see
# fusion/losses/semantic_constraint.py; the paper's form is ablation_unbounded_constraint.py). The paper's plain blocks: model.residual=False, with the feature-level warm
# start task.warm_start=dict(iters=150, lr=3e-3) (ablation_feature_fit.py).
# At iteration 0 and every epoch the validation pairs (splits/val.txt, carved from the training side) are
# fused at full size in float32 and scored; best.pth keeps the best "score" (mean of EN, MS_SSIM, MI, SCD, CC, VIF, each divided by
# its value for the pixel average; see fusion/engine/evaluation.py); splits/test.txt is only reported on.
# Needs the stage-1 and classifier checkpoints (override with --cfg-options task.stage1_checkpoint=...).
phase = 'stage2_msfam'
seed = 0
device = None
amp = dict(enabled=False, dtype='bfloat16')
data_root = '{{$MSFAM_SHARED_DATA:{{fileDirname}}/../../../shared/data}}'
splits = '{{fileDirname}}/splits'

task = dict(
    type='FusionTask',
    model=dict(type='msfam', residual=True),
    stage1_checkpoint='work_dirs/stage1_msfam/final.pth',
    classifier_checkpoint='work_dirs/classifier/best.pth',
    loss=dict(type='FusionTotalLoss', alpha2=0.84, beta=2.0, l1_mode='mean',
              push_pull_cfg=dict(weighting='negative'), constraint_cfg=dict(satisfied_at=0.5)),
    lr_mult=dict(encoder=0.0, fusions=1.0, decoder=0.5),
    warm_start=None,
    reference='average',
    best_key='score')
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    dataset=dict(type='PairedFolderDataset', root=data_root + '/fusion', file_list=splits + '/train.txt',
                 crop_size=(320, 256), flip=True))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(type='PairedFolderDataset', root=data_root + '/fusion', file_list=splits + '/val.txt',
                 crop_size=None, flip=False))
optimizer = dict(type='Adam', lr=1e-4)
# validate_at_start: the warm-started network (iteration 0) is a candidate for best.pth too.
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=1, log_interval=10, checkpoint_interval=54,
                 time_budget=None, validate_at_start=True)
