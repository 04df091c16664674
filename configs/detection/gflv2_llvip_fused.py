# GFLv2 R50-FPN, 2x, on LLVIP: images fused by MSFAM.
_base_ = [
    './_base_/gflv2_r50_fpn.py', './_base_/llvip_dataset.py',
    './_base_/schedule_24e.py', './_base_/default_runtime.py'
]
img_folder = 'msfam'
train_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
val_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
test_dataloader = val_dataloader
