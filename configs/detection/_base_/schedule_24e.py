# 2x schedule (24 epochs, steps at 16 and 22) of GFL/GFLv2: SGD lr 0.01 for a total batch of 16.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=24, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),  # warm-up
    dict(type='MultiStepLR', begin=0, end=24, by_epoch=True, milestones=[16, 22], gamma=0.1)
]

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))

# Linear scaling: the runner sets lr = 0.01 * total_batch / 16, where total_batch =
# (number of processes) x train_dataloader.batch_size; e.g. 1 GPU x 8 images -> 0.005,
# 2 GPUs x 8 -> 0.01, 8 GPUs x 8 -> 0.04. Disable with auto_scale_lr.enable=False.
auto_scale_lr = dict(enable=True, base_batch_size=16)
