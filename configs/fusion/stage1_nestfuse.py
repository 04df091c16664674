# The NestFuse baseline (Li et al. 2020): its auto-encoder trained like MSFAM's stage 1 (same images, loss and
# schedule), so the two differ in the network alone; inference uses NestFuse's hand-designed fusion.
_base_ = ['./stage1_msfam.py']
phase = 'stage1_nestfuse'
task = dict(model=dict(type='nestfuse'))
