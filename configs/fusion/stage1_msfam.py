# Stage 1 of MSFAM (Sec. 3.3 and 4.1): the HIN-block nest encoder and the nest decoder reconstruct single
# images, loss L1 + 0.84 (1 - SSIM), Adam 1e-4, batch 4, 320x256 crops, random horizontal/vertical flips.
# The paper trains on FLIR (9,676 visible + 10,501 infrared images) for 2 epochs, about 10,090 batches of 4.
# Here every image of ../shared/data serves (fusion/*/{ir,vi} and KAIST's images, 929 images; colour made
# greyscale) except those of the held-out fusion pairs (splits/test.txt, matched by content: 875 left),
# for the same number of optimisation steps: 10,000 iterations (about 46 passes over these images). The
# exported network is `msfam_handcrafted` (NestFuse's hand-designed fusion), the "Rec" row of Table 1,
# and the starting point of stage 2.
# Data: MSFAM_SHARED_DATA=/path/to/data (or tools/train_fusion.py --data-root) if not ../shared/data.
phase = 'stage1_msfam'
seed = 0
device = None  # 'cpu', 'cuda', 'cuda:1'; None: CUDA when available
amp = dict(enabled=False, dtype='bfloat16')
data_root = '{{$MSFAM_SHARED_DATA:{{fileDirname}}/../../../shared/data}}'
splits = '{{fileDirname}}/splits'

task = dict(
    type='ReconstructionTask',
    model=dict(type='msfam_handcrafted'),
    loss=dict(type='ReconstructionLoss', alpha1=0.84))
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    dataset=dict(
        type='SingleImageDataset',
        roots=[data_root + '/fusion', data_root + '/kaist/images'],
        exclude_pairs=dict(root=data_root + '/fusion', file_list=splits + '/test.txt'),
        crop_size=(320, 256),
        flip=True))
optimizer = dict(type='Adam', lr=1e-4)
train_cfg = dict(by_epoch=False, max_iters=10000, log_interval=50, checkpoint_interval=500, time_budget=None)
