# The demo's GFLv2 on both bands, the colour/thermal pair as one 4-band image (early fusion):
# configs/detection/gflv2_early.py with the demo's settings.
_base_ = ['./_base_/gflv2_demo.py', '../detection/_base_/pair_input.py']
input_name = 'early_fusion'
model = {{_base_.early_fusion_model}}
train_dataloader = dict(dataset={{_base_.pair_train_dataset}})
val_dataloader = dict(dataset={{_base_.pair_test_dataset}})
test_dataloader = val_dataloader
