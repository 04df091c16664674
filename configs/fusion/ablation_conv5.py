# Table 2, "w/o attention": a 5x5 convolution (2C -> C) in place of each attention fusion block (as the
# residual correction of the hand-designed fusion, like the attention blocks of stage2_msfam.py), trained by
# the same multi-stage approach. Its "w/ attention" row equals Table 3's baseline, so it runs with that
# loss (no Push-Pull weights, no Semantic Constraint): compare it with ablation_neither.
_base_ = ['./ablation_neither.py']
phase = 'ablation_conv5'
task = dict(model=dict(type='msfam_conv5'))
