# The NestFuse baseline (Li et al. 2020): its auto-encoder trained like MSFAM's stage 1, on the same single
# images with the same loss and schedule, so that the two rows differ in the network alone (NestFuse's
# own recipe is MSE + 100 (1 - MS-SSIM) on 80k MS-COCO images). Inference fuses with the hand-designed
# spatial/channel attention strategy; there is no stage 2.
_base_ = ['./stage1_msfam.py']
phase = 'stage1_nestfuse'
task = dict(model=dict(type='nestfuse'))
