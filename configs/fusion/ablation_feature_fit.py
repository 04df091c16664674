# This project's fix 2, the other remedy: the paper's plain attention blocks first fitted to NestFuse's hand-designed
# fusion of the frozen encoder's features (150 batches, Adam 3e-3; fusion/engine/tasks/warm_start.py).
_base_ = ['./stage2_msfam.py']
phase = 'ablation_feature_fit'
task = dict(model=dict(residual=False), warm_start=dict(_delete_=True, iters=150, lr=3e-3, pooling='avg'))
