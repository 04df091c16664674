# This project's fix 1, its row: stage 2 with the Push-Pull weights as Algorithm 2 prints them (positive feedback;
# fusion/losses/push_pull.py).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_literal_pushpull'
task = dict(loss=dict(push_pull_cfg=dict(weighting='literal')))
