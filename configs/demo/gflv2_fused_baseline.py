# The demo's GFLv2 on images fused by NestFuse (baseline): configs/detection/gflv2_fused_baseline.py with the demo's settings.
_base_ = ['./_base_/gflv2_demo.py']
img_folder = 'nestfuse'
train_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
val_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
test_dataloader = val_dataloader
