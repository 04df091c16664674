# stage2_msfam_target.py on the CPU schedule of the shipped weights (configs/fusion/README.md): 75 iterations,
# validated at the start and every 25.
_base_ = ['../stage2_msfam_target.py']
train_dataloader = dict(num_workers=1)
val_dataloader = dict(num_workers=0)
train_cfg = dict(by_epoch=False, max_iters=75, val_interval=25, checkpoint_interval=20)
