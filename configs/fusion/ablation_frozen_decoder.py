# This project's fix 7, row "Push-Pull only, decoder frozen": ablation_no_constraint.py with the decoder frozen too
# (the paper trains it at half the fusion blocks' rate).
_base_ = ['./ablation_no_constraint.py']
phase = 'ablation_frozen_decoder'
task = dict(lr_mult=dict(decoder=0.0))
