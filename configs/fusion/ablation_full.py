# Table 3, "both" (MSFAM): the paper's stage 2 (stage2_msfam.py) unchanged, as the ablation table's reference row,
# so that it runs under the ablations' schedule beside the other rows.
_base_ = ['./stage2_msfam.py']
phase = 'ablation_full'
