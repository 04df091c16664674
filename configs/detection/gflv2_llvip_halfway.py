# GFLv2 R50-FPN, 2x, on LLVIP: halfway fusion, a visible and a thermal ResNet-50 fused level by level.
_base_ = ['./gflv2_llvip_visible.py', './_base_/pair_input.py']
input_name = 'halfway_fusion'
model = {{_base_.halfway_fusion_model}}
train_dataloader = dict(dataset={{_base_.pair_train_dataset}})
val_dataloader = dict(dataset={{_base_.pair_test_dataset}})
test_dataloader = val_dataloader
