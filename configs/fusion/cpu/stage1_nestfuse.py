# stage1_nestfuse.py on the CPU schedule of the shipped weights (configs/fusion/README.md): 1,000 iterations
# of 128x128 crops, Adam 1e-3 with cosine decay to 1 %.
_base_ = ['../stage1_nestfuse.py']
train_dataloader = dict(num_workers=1, dataset=dict(crop_size=(128, 128)))
optimizer = dict(lr=1e-3)
train_cfg = dict(max_iters=1000, checkpoint_interval=100, lr_schedule=dict(type='cosine'))
