# GFLv2 R50-FPN, 2x, on KAIST: images fused by MSFAM fine-tuned with the detection loss in the loop
# (tools/export_tuned_fusion.py, then tools/fuse_dataset.py --methods msfam_tuned=msfam --checkpoint msfam_tuned=...).
_base_ = [
    './_base_/gflv2_r50_fpn.py', './_base_/kaist_dataset.py',
    './_base_/schedule_24e.py', './_base_/default_runtime.py'
]
img_folder = 'msfam_tuned'
train_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
val_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
test_dataloader = val_dataloader
