# This project's row "target contrast": the full stage 2 (stage2_msfam.py) plus the infrared target contrast
# loss (fusion/losses/target_contrast.py) at weight gamma = 1.
_base_ = ['./stage2_msfam.py']
phase = 'ablation_target_contrast'
task = dict(loss=dict(gamma=1.0))
