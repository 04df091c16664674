# MSFAM stage 1 (Sec. 3.3, 4.1): the HIN nest encoder and decoder reconstruct single greyscale images (every image
# of the data except the held-out test pairs'); exports msfam_handcrafted, Table 1 "Rec" and stage 2's start.
_base_ = ['./_base_/runtime.py', './_base_/data.py']
phase = 'stage1_msfam'

task = dict(
    type='ReconstructionTask',
    model=dict(type='msfam_handcrafted'),
    loss=dict(type='ReconstructionLoss', alpha1=0.84))
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    dataset=dict(
        type='SingleImageDataset',
        roots=[_base_.data_root + '/fusion', _base_.data_root + '/kaist/images'],
        exclude_pairs=dict(root=_base_.data_root + '/fusion', file_list=_base_.splits + '/test.txt'),
        crop_size=(320, 256),
        flip=True))
optimizer = dict(type='Adam', lr=1e-4)
# The paper's 2 FLIR epochs are about 10,090 batches of 4: the same number of steps here.
train_cfg = dict(by_epoch=False, max_iters=10000, log_interval=50, checkpoint_interval=500)
