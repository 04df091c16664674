# Fix 2 of this project, its ablation row: the paper's plain attention blocks (not residual) starting from
# their random initialisation, as the paper's stage 2 does: the stage-1 decoder first receives scrambled
# features. Otherwise the full stage 2.
_base_ = ['./stage2_msfam.py']
phase = 'ablation_no_warm_start'
task = dict(model=dict(residual=False), warm_start=None)
