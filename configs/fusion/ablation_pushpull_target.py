# This project's row "Push-Pull + target contrast": stage 2 with the Push-Pull and infrared target contrast
# losses (gamma = 1, five times the shipped stage2_msfam_target.py's) and no Semantic Constraint (alpha2 = 0).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_pushpull_target'
task = dict(classifier_checkpoint=None, loss=dict(alpha2=0.0, gamma=1.0))
