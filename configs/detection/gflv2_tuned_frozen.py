# MSFAM in the loop against a frozen GFLv2, the default coupling (bench/bench_tuned_fusion.py; README): the detector
# trained first on MSFAM's images (gflv2_fused.py; its checkpoint by model.detector_checkpoint=...), its parameters
# and BatchNorm fixed; only the fusion learns.
_base_ = './gflv2_tuned_joint.py'
model = dict(coupling='frozen', detach_iters=0, detector_checkpoint='work_dirs/gflv2_fused/epoch_24.pth',
             detector=dict(backbone=dict(init_cfg=None)))
