# This project's row "Push-Pull + target, decoder frozen": ablation_pushpull_target.py (Push-Pull and the infrared
# target contrast loss at gamma = 1, no Semantic Constraint) with the decoder frozen too (learning rate 0).
_base_ = ['./ablation_pushpull_target.py']
phase = 'ablation_pushpull_target_frozen'
task = dict(lr_mult=dict(decoder=0.0))
