# Fix 2, the other remedy: the paper's plain attention blocks, fitted before stage 2 to output NestFuse's
# hand-designed fusion of the frozen encoder's features (150 batches, Adam 3e-3; fusion/engine/tasks/warm_start.py).
# On the real stage-1 network this leaves 4 % relative feature error, which the decoder turns into a lower
# starting score than the residual blocks' exact start. Otherwise the full stage 2.
_base_ = ['./stage2_msfam.py']
phase = 'ablation_feature_fit'
task = dict(model=dict(residual=False), warm_start=dict(_delete_=True, iters=150, lr=3e-3, pooling='avg'))
