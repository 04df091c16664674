"""Datasets: paired fusion folders, single images, KAIST (index, annotations, COCO conversion, fusion pairs),
classifier samples, the training transforms and the train/test split; importing this package registers
the training datasets in ``DATASETS``."""
from . import classifier_samples, kaist_pairs, paired, single
from .base import ConcatFusionDataset, SeededDataset
from .classifier_samples import ClassifierSampleDataset
from .kaist_pairs import KaistPairDataset
from .paired import PairDataset, PairedFolderDataset, PairRecord, index_pairs, read_file_list
from .single import SingleImageDataset
from .transforms import CropFlip, resize_to_cover

__all__ = [
    "ClassifierSampleDataset", "ConcatFusionDataset", "CropFlip", "KaistPairDataset", "PairDataset",
    "PairRecord", "PairedFolderDataset", "SeededDataset", "SingleImageDataset", "classifier_samples",
    "index_pairs", "kaist_pairs", "paired", "read_file_list", "resize_to_cover", "single",
]
