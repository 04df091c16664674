# The demo's MSFAM in the loop in alternating rounds: 6 iterations of the detector, then 6 of the fusion.
_base_ = './gflv2_tuned_joint.py'
model = dict(coupling='alternating', detach_iters=0, rounds=dict(detector_iters=6, fusion_iters=6))
