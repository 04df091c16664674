# Table 3, "C. only": stage 2 with the Semantic Constraint, the Push-Pull weights fixed at (0.5, 0.5).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_no_pushpull'
task = dict(loss=dict(push_pull_cfg=dict(weighting='equal')))
