# Table 3, row "neither": stage 2 without the Push-Pull loss and without the Semantic Constraint module.
# Without Push-Pull, its MS-SSIM terms stay with fixed equal weights (0.5, 0.5), so the arm differs from
# the full loss in the adaptive weights alone. This row of the paper equals Table 1's "Rec and Fusion" and
# Table 2's "w/ attention" rows: those ablations ran with this loss (see ablation_conv5, ablation_no_stage1).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_neither'
task = dict(classifier_checkpoint=None, loss=dict(alpha2=0.0, push_pull_cfg=dict(weighting='equal')))
