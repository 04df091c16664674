# GFLv2 R50-FPN, 2x, on LLVIP: early fusion, the colour/thermal pair as one 4-band image into one ResNet-50.
_base_ = ['./gflv2_llvip_visible.py', './_base_/pair_input.py']
input_name = 'early_fusion'
model = {{_base_.early_fusion_model}}
train_dataloader = dict(dataset={{_base_.pair_train_dataset}})
val_dataloader = dict(dataset={{_base_.pair_test_dataset}})
test_dataloader = val_dataloader
