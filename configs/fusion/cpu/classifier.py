# classifier.py on the CPU schedule of the shipped weights (configs/fusion/README.md): 6,000 iterations,
# Adam 1e-3 with cosine decay to 1 %, validated every 500.
_base_ = ['../classifier.py']
train_dataloader = dict(num_workers=1)
val_dataloader = dict(num_workers=0)
optimizer = dict(lr=1e-3)
train_cfg = dict(by_epoch=False, max_iters=6000, val_interval=500, checkpoint_interval=50,
                 lr_schedule=dict(type='cosine'))
