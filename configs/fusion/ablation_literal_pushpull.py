# Fix 1 of this project, its ablation row: the full stage 2 with the Push-Pull weights as Algorithm 2 prints
# them (the source the fused image keeps better weighs more: a positive feedback that holds the output near
# whichever source it starts from; see fusion/losses/push_pull.py).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_literal_pushpull'
task = dict(loss=dict(push_pull_cfg=dict(weighting='literal')))
