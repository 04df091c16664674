# MSFAM's stage 2 as shipped (fusion/weights/msfam.pth): the infrared target contrast loss (gamma 0.2) instead of the
# Semantic Constraint, the decoder frozen too, best.pth by the six metrics among networks keeping NestFuse's ITC.
_base_ = ['./stage2_msfam.py']
phase = 'stage2_msfam_target'
task = dict(classifier_checkpoint=None, loss=dict(alpha2=0.0, gamma=0.2),
            lr_mult=dict(encoder=0.0, fusions=1.0, decoder=0.0),
            floor=dict(metric='ITC', method='nestfuse', checkpoint=_base_.work_root + '/stage1_nestfuse/final.pth'),
            best_key='floored_score')
