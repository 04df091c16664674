# Table 3, "P. only": stage 2 with the Push-Pull loss, no Semantic Constraint (alpha2 = 0).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_no_constraint'
task = dict(classifier_checkpoint=None, loss=dict(alpha2=0.0))
