# GFLv2 R50-FPN, 2x, on LLVIP, with MSFAM in the loop (joint coupling, detached for about an epoch; configs/detection/gflv2_tuned_joint.py).
_base_ = ['./gflv2_llvip_visible.py', './_base_/pair_input.py', './_base_/fusion_in_the_loop.py']
custom_imports = {{_base_.tuned_imports}}
input_name = 'msfam_in_the_loop'
model = dict(
    _delete_=True, type='FusionDetector', detector={{_base_.model}}, fusion='msfam', fusion_checkpoint=None,
    coupling='joint', detach_iters=1500, fusion_loss={{_base_.tuned_fusion_loss}}, fusion_loss_weight=1.0)
optim_wrapper = {{_base_.tuned_optim_wrapper}}
auto_scale_lr = {{_base_.tuned_auto_scale_lr}}
train_dataloader = dict(dataset={{_base_.pair_train_dataset}})
val_dataloader = dict(dataset={{_base_.pair_test_dataset}})
test_dataloader = val_dataloader
