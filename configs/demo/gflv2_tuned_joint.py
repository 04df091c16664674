# The demo's GFLv2 with MSFAM in the loop (configs/detection/gflv2_tuned_joint.py with the demo's settings): both
# learn; the detector, from scratch here, sees the fused images detached for its first 6 iterations.
_base_ = ['./_base_/gflv2_demo.py', '../detection/_base_/pair_input.py', '../detection/_base_/fusion_in_the_loop.py']
custom_imports = {{_base_.tuned_imports}}
input_name = 'msfam_in_the_loop'
model = dict(
    _delete_=True, type='FusionDetector', detector={{_base_.model}}, fusion='msfam', fusion_checkpoint=None,
    coupling='joint', detach_iters=6, fusion_loss={{_base_.tuned_fusion_loss}}, fusion_loss_weight=1.0)
optim_wrapper = {{_base_.tuned_optim_wrapper}}
auto_scale_lr = {{_base_.tuned_auto_scale_lr}}
train_dataloader = dict(dataset={{_base_.pair_train_dataset}})
val_dataloader = dict(dataset={{_base_.pair_test_dataset}})
test_dataloader = val_dataloader
