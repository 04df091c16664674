# The demo's GFLv2 on the thermal (LWIR) band: configs/detection/gflv2_infrared.py with the demo's settings.
_base_ = ['./_base_/gflv2_demo.py']
img_folder = 'lwir'
train_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
val_dataloader = dict(dataset=dict(data_prefix=dict(img=img_folder + '/')))
test_dataloader = val_dataloader
