# MSRS as COCO (one class), read from one image folder of a derived dataset:
#   <data_root>/annotations/{train,test}.json   (written by tools/fuse_dataset.py msrs)
#   <data_root>/<img_folder>/{train,test}/<stem>.jpg
# kaist_dataset.py's pipeline and loaders (the 640x480 frames keep their size); COCO AP / APS / APM / APL
# (MR^-2 is KAIST's protocol, tied to its frames and 640x512 bounds).
_base_ = ['./kaist_dataset.py']
source_dataset = 'msrs'
data_root = 'data/msrs_fused/'
train_ann_file = 'annotations/train.json'
test_ann_file = 'annotations/test.json'
train_dataloader = dict(dataset=dict(data_root=data_root, ann_file=train_ann_file))
val_dataloader = dict(dataset=dict(data_root=data_root, ann_file=test_ann_file))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='CocoMetric', ann_file=data_root + test_ann_file, metric='bbox')
test_evaluator = val_evaluator
