# This project's fix 2, its row: the paper's plain attention blocks (not residual) from their random
# initialisation, as the paper's stage 2 starts.
_base_ = ['./stage2_msfam.py']
phase = 'ablation_no_warm_start'
task = dict(model=dict(residual=False), warm_start=None)
