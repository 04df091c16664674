# Table 2, "w/o attention": a 5x5 convolution (2C -> C) as each fusion block's residual correction, with
# ablation_neither's loss (its "w/ attention" row is Table 3's "neither").
_base_ = ['./ablation_neither.py']
phase = 'ablation_conv5'
task = dict(model=dict(type='msfam_conv5'))
