# The demo's GFLv2 on images fused by MSFAM: configs/detection/gflv2_fused.py with the demo's settings.
_base_ = ['./_base_/gflv2_demo.py']
img_folder = 'msfam'
train_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
val_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
test_dataloader = val_dataloader
