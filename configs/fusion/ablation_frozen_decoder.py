# This project's row "Push-Pull only, decoder frozen": ablation_no_constraint.py (Push-Pull, no Semantic Constraint)
# with the decoder frozen too (learning rate 0; the paper trains it at half the fusion blocks' rate), so stage 2
# trains the four fusion blocks alone between the stage-1 encoder and decoder.
_base_ = ['./ablation_no_constraint.py']
phase = 'ablation_frozen_decoder'
task = dict(lr_mult=dict(decoder=0.0))
