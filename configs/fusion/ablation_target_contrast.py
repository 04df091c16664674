# This project's row "target contrast": stage 2 plus the infrared target contrast loss (gamma = 1;
# fusion/losses/target_contrast.py).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_target_contrast'
task = dict(loss=dict(gamma=1.0))
