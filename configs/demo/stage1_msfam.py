# The demo's MSFAM stage 1 (tools/demo.py, when no weights are shipped): configs/fusion/stage1_msfam.py at a
# quarter of the paper's widths, on the synthetic KAIST's single images (96x80 crops), for 60 iterations at
# lr 1e-3: weights that train in seconds and show the pipeline working, not the paper's model.
# tools/demo.py sets the data root, the device and the iterations; by hand:
#   python tools/train_fusion.py configs/demo/stage1_msfam.py --data-root outputs/demo/synthetic_kaist
_base_ = ['../fusion/stage1_msfam.py']
phase = 'demo_stage1_msfam'
data_root = '{{$MSFAM_DATA:outputs/demo/synthetic_kaist}}'
widths = (16, 28, 40, 52)

task = dict(model=dict(widths=widths))
train_dataloader = dict(
    num_workers=0,
    dataset=dict(_delete_=True, type='SingleImageDataset', roots=[data_root + '/images'], crop_size=(96, 80),
                 flip=True))
optimizer = dict(lr=1e-3)
train_cfg = dict(max_iters=60, log_interval=10, checkpoint_interval=60)
