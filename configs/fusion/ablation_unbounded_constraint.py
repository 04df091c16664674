# Fix 6 of this project, its ablation row: the full stage 2 with the Semantic Constraint as the paper writes
# it, -log p_vis - log p_ir without a bound, so that confidence beyond p = 0.5 is still rewarded (see
# fusion/losses/semantic_constraint.py for what the network then learns).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_unbounded_constraint'
task = dict(loss=dict(constraint_cfg=None))
