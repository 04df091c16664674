# ablation_pushpull_target_frozen.py on the ablations' CPU schedule (configs/fusion/README.md): 60 iterations of
# 176x176 crops (MS-SSIM's 5 scales need more than 160), no validation: the ablation table scores the final network.
_base_ = ['../ablation_pushpull_target_frozen.py']
train_dataloader = dict(num_workers=1, dataset=dict(crop_size=(176, 176)))
val_dataloader = None
train_cfg = dict(by_epoch=False, max_iters=60, checkpoint_interval=20)
