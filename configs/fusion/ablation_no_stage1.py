# Table 1, "Fusion": the whole MSFAM trained end to end from scratch (no stage 1, every part at the full
# learning rate) with the "basic L1 loss and SSIM loss" the paper names, here ablation_neither's loss
# (L1 + 2 x the equally weighted MS-SSIM losses: no Push-Pull weights, no Semantic Constraint); the paper's
# plain attention blocks, no warm start (there is no trained auto-encoder to start from).
# Compare with ablation_neither ("Rec and Fusion") and stage1_msfam's msfam_handcrafted ("Rec").
_base_ = ['./ablation_neither.py']
phase = 'ablation_no_stage1'
task = dict(model=dict(residual=False), stage1_checkpoint=None, warm_start=None,
            lr_mult=dict(encoder=1.0, fusions=1.0, decoder=1.0))
