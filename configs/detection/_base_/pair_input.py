# Both bands straight into the detector (early and halfway fusion): pieces the pair leaves of every dataset
# take by name ({{_base_.pair_...}}) over their visible leaf. The pair is read from the derived dataset's
# visible/ and lwir/ folders (tools/fuse_dataset.py --methods visible,lwir) as one 4-band image (B, G, R,
# thermal) that Resize and RandomFlip move together (detection/datasets/paired_coco.py).
rgb_mean = [123.675, 116.28, 103.53]  # ImageNet's, as the single-band detectors
rgb_std = [58.395, 57.12, 57.375]
# The thermal band is normalised like the luminance of the ImageNet statistics (0.299 R + 0.587 G + 0.114 B):
# under it the early model inflated from RGB weights equals the RGB model when thermal = luminance.
band_mean = rgb_mean + [117.038]
band_std = rgb_std + [57.530]
pair_data_preprocessor = dict(
    type='MultiBandDetDataPreprocessor', mean=band_mean, std=band_std, bgr_to_rgb=True, pad_size_divisor=32)
pair_train_pipeline = [
    dict(type='LoadImagePair'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(640, 512), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
pair_test_pipeline = [
    dict(type='LoadImagePair'),
    dict(type='Resize', scale=(640, 512), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
pair_data_prefix = dict(img='visible/', thermal='lwir/')
pair_train_dataset = dict(type='PairedCocoDataset', data_prefix=pair_data_prefix, pipeline=pair_train_pipeline)
pair_test_dataset = dict(type='PairedCocoDataset', data_prefix=pair_data_prefix, pipeline=pair_test_pipeline)
# Early fusion: one ResNet-50 on R, G, B, thermal; its first conv inflated from the RGB ImageNet weights.
early_fusion_model = dict(
    data_preprocessor=pair_data_preprocessor, backbone=dict(type='EarlyFusionResNet', band_std=band_std))
# Halfway fusion: two ResNet-50 streams, fused level by level (concat + 1x1 conv + BN + ReLU) into the FPN;
# stream_stages < 4 lets the streams meet earlier and run the later stages once. The FPN takes stages 2-4, as
# in the other detectors (there by start_level=1 of 4 levels; here the unused stage-1 fusion is not built).
halfway_fusion_model = dict(
    data_preprocessor=pair_data_preprocessor,
    backbone=dict(type='HalfwayFusionResNet', band_std=band_std, stream_stages=4, out_indices=(1, 2, 3)),
    neck=dict(in_channels=[512, 1024, 2048], start_level=0))
