# The stage-2 L1 term the paper leaves open: |F - max(V, I)| instead of (|F - V| + |F - I|) / 2.
_base_ = ['./stage2_msfam.py']
phase = 'ablation_l1_max'
task = dict(loss=dict(l1_mode='max'))
