# KAIST Multispectral Pedestrian as COCO (one class), read from one image folder of a derived dataset:
#   <data_root>/annotations/{train-all-02,test-all-20}.json   (written by tools/fuse_dataset.py kaist)
#   <data_root>/<img_folder>/setXX/VYYY/IZZZZZ.jpg            (visible, lwir, nestfuse, msfam, ...)
# The leaf configs choose img_folder (and repeat it in the three data_prefix entries: a base variable
# does not follow an override made in a leaf).
dataset_type = 'CocoDataset'
source_dataset = 'kaist'  # tools/fuse_dataset.py kaist writes the data (the tools' error names the command)
data_root = 'data/kaist_fused/'
img_folder = 'visible'
metainfo = dict(classes=('person', ))
train_ann_file = 'annotations/train-all-02.json'
test_ann_file = 'annotations/test-all-20.json'
image_scale = (640, 512)  # (w, h): KAIST's own size
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

train_dataloader = dict(
    batch_size=8,  # per GPU; the learning rate follows the total batch (schedule_24e.py)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file=train_ann_file,
        data_prefix=dict(img=img_folder + '/'),
        # frames without pedestrians stay: they teach the background (MR^-2 counts false positives per image)
        filter_cfg=dict(filter_empty_gt=False),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        ann_file=test_ann_file,
        data_prefix=dict(img=img_folder + '/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

# COCO AP/AP50/AP75/APS/APM/APL and MR^-2 all/day/night (detection/evaluation)
val_evaluator = dict(type='KaistMetric', ann_file=data_root + test_ann_file)
test_evaluator = val_evaluator
