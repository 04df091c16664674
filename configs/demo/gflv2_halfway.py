# The demo's GFLv2 on both bands, visible and thermal ResNet streams fused level by level (halfway
# fusion): configs/detection/gflv2_halfway.py with the demo's settings.
_base_ = ['./_base_/gflv2_demo.py', '../detection/_base_/pair_input.py']
input_name = 'halfway_fusion'
model = {{_base_.halfway_fusion_model}}
train_dataloader = dict(dataset={{_base_.pair_train_dataset}})
val_dataloader = dict(dataset={{_base_.pair_test_dataset}})
test_dataloader = val_dataloader
