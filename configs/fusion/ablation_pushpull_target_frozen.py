# This project's fix 7, row "Push-Pull + target, decoder frozen": ablation_pushpull_target.py with the decoder
# frozen too.
_base_ = ['./ablation_pushpull_target.py']
phase = 'ablation_pushpull_target_frozen'
task = dict(lr_mult=dict(decoder=0.0))
