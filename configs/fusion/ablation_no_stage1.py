# Table 1, "Fusion": the whole MSFAM trained end to end from scratch (no stage 1, every part at the full rate,
# plain attention blocks, no warm start) with ablation_neither's loss (L1 + equally weighted MS-SSIM).
_base_ = ['./ablation_neither.py']
phase = 'ablation_no_stage1'
task = dict(model=dict(residual=False), stage1_checkpoint=None, warm_start=None,
            lr_mult=dict(encoder=1.0, fusions=1.0, decoder=1.0))
