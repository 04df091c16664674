# MSFAM's Semantic Constraint classifier (Sec. 3.5, 4.1): multi-label BCE, visible (1, 0), infrared (0, 1), fused
# by the training-free baselines (1, 1); validated on splits/val.txt, best.pth by balanced accuracy.
_base_ = ['./_base_/runtime.py', './_base_/data.py']
phase = 'classifier'

task = dict(
    type='ClassifierTask',
    classifier=dict(type='SemanticConstraintClassifier', kernel_size=5),
    fusers=[dict(type='average'), dict(type='tif'), dict(type='laplacian')],
    stage1_checkpoint=None,  # or a stage-1 network as one more fuser, e.g. work_dirs/stage1_msfam/final.pth
    best_key='balanced_accuracy')
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    dataset=dict(
        type='ClassifierSampleDataset',
        pairs=dict(
            type='ConcatFusionDataset',
            datasets=[
                dict(type='PairedFolderDataset', root=_base_.data_root + '/fusion',
                     file_list=_base_.splits + '/train.txt', crop_size=(320, 256), flip=True),
                dict(type='PairedFolderDataset', root=_base_.data_root + '/fusion',
                     sets=['msrs', 'llvip', 'llvip_train'], crop_size=(320, 256), flip=True),
            ])))
val_dataloader = dict(  # one seeded 320x256 crop of each pair: the size stage 2 shows the classifier
    num_workers=2,
    dataset=dict(type='PairedFolderDataset', root=_base_.data_root + '/fusion', file_list=_base_.splits + '/val.txt',
                 crop_size=(320, 256), flip=False))
optimizer = dict(type='Adam', lr=1e-4)
# The paper gives no schedule for this module: 20 epochs (54 batches of 16 each).
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=2, checkpoint_interval=200)
