# MSFAM in the loop in alternating rounds: 3,000 iterations of the detector on the current fusion's images (fusion
# frozen), then 1,000 of the fusion against the frozen detector, and again (SeAFusion's rounds, images fused on the fly).
_base_ = './gflv2_tuned_joint.py'
model = dict(coupling='alternating', detach_iters=0, rounds=dict(detector_iters=3000, fusion_iters=1000))
# Each phase leaves one part without gradient: several GPUs need DDP to look for unused parameters.
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
