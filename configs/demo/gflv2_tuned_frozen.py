# The demo's MSFAM in the loop against a frozen GFLv2, the demo's MSFAM detector (configs/demo/gflv2_fused.py)
# trained first: model.detector_checkpoint=... names its checkpoint.
_base_ = './gflv2_tuned_joint.py'
model = dict(coupling='frozen', detach_iters=0, detector_checkpoint='outputs/demo/work_dirs/gflv2_fused/seed0/epoch_2.pth')
