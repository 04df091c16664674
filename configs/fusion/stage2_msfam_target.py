# MSFAM's stage 2 as this project ships it: stage2_msfam.py with three changes, each an ablation row
# (fusion/weights/report/ablations.md):
# - the infrared target contrast loss (fusion/losses/target_contrast.py), gamma = 0.2, and no Semantic Constraint
#   (alpha2 = 0): no classifier trained here reaches the 0.90 gate on validation (fusion/weights/README.md);
# - the decoder frozen too (learning rate 0; the paper trains it at half the fusion blocks' rate): only the four
#   fusion blocks learn. With the decoder training, 50 iterations lowered five of the paper's six validation
#   metrics (score against the pixel average 1.0010 -> 0.9976 at gamma 0.2); frozen, the same 50 iterations
#   kept the score (1.0009) and raised ITC 0.658 -> 0.675;
# - model selection on the validation pairs by "floored_score": the paper's six metrics relative to the pixel
#   average, among the networks whose infrared target contrast (ITC) is not below the NestFuse baseline's on the
#   same pairs (task.floor; fusion/engine/tasks/fusion.py), so the network kept is the best on the paper's
#   metrics that keeps the infrared targets at least as NestFuse does. The score alone prefers the stage-1
#   network (iteration 0), whose ITC is below NestFuse's; more iterations keep raising ITC and lowering the rest.
# The NestFuse baseline comes from its own run (task.floor.checkpoint; tools/train_fusion_all.sh trains it first).
_base_ = ['./stage2_msfam.py']
phase = 'stage2_msfam_target'
task = dict(classifier_checkpoint=None, loss=dict(alpha2=0.0, gamma=0.2),
            lr_mult=dict(encoder=0.0, fusions=1.0, decoder=0.0),
            floor=dict(metric='ITC', method='nestfuse', checkpoint='work_dirs/stage1_nestfuse/final.pth'),
            best_key='floored_score')
