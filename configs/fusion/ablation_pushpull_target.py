# This project's row "Push-Pull + target": the Push-Pull and infrared target contrast (gamma = 1) losses, no
# Semantic Constraint.
_base_ = ['./stage2_msfam.py']
phase = 'ablation_pushpull_target'
task = dict(classifier_checkpoint=None, loss=dict(alpha2=0.0, gamma=1.0))
