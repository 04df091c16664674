# GFLv2 R50-FPN, 2x, on KAIST, with MSFAM in the loop: fusion and detector learn together from the detection loss
# plus MSFAM's fusion loss; for the first 3,000 iterations (about an epoch of train-all-02 at batch 8) the detector
# sees the fused images detached. Needs no trained detector; the measured default is gflv2_tuned_frozen.py (README).
_base_ = ['./gflv2_visible.py', './_base_/pair_input.py', './_base_/fusion_in_the_loop.py']
custom_imports = {{_base_.tuned_imports}}
input_name = 'msfam_in_the_loop'
model = dict(
    _delete_=True, type='FusionDetector', detector={{_base_.model}}, fusion='msfam', fusion_checkpoint=None,
    coupling='joint', detach_iters=3000, fusion_loss={{_base_.tuned_fusion_loss}}, fusion_loss_weight=1.0)
optim_wrapper = {{_base_.tuned_optim_wrapper}}
auto_scale_lr = {{_base_.tuned_auto_scale_lr}}
train_dataloader = dict(dataset={{_base_.pair_train_dataset}})
val_dataloader = dict(dataset={{_base_.pair_test_dataset}})
test_dataloader = val_dataloader
