# This project's fix 6, its row: the Semantic Constraint as the paper writes it, -log p_vis - log p_ir without
# the bound at p = 0.5 (fusion/losses/semantic_constraint.py).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_unbounded_constraint'
task = dict(loss=dict(constraint_cfg=None))
