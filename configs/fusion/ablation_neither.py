# Table 3, "neither" (= Table 1 "Rec and Fusion", Table 2 "w/ attention"): stage 2 without the Push-Pull weights
# (MS-SSIM terms at fixed 0.5, 0.5) and without the Semantic Constraint.
_base_ = ['./stage2_msfam.py']
phase = 'ablation_neither'
task = dict(classifier_checkpoint=None, loss=dict(alpha2=0.0, push_pull_cfg=dict(weighting='equal')))
