"""KAIST pedestrian evaluation: reasonable MR^-2 (all / day / night) and COCO AP, as pure functions, a
report, and the ``KaistMetric`` evaluator registered in mmdet's ``METRICS``."""
from fusion.utils.kaist_sets import frame_key, period_of  # KAIST's frame ids and periods, re-exported

from .coco_ap import AP_KEYS, coco_ap
from .detections import (FORMATS, Detections, collect_predictions, detect_format, from_pred_instances, load_detections,
                         read_coco_json, read_kaist_txt, read_mmdet_pickle, write_coco_json, write_kaist_txt)
from .ground_truth import SUBSETS, GroundTruthBoxes, KaistGroundTruth, load_ground_truth
from .kaist_metric import KaistMetric
from .miss_rate import (FPPI_POINTS, REASONABLE, ImageMatches, MissRateCurve, MissRateSetup, box_overlaps,
                        evaluation_ignore, log_average_miss_rate, match_image, miss_rate_curve)
from .report import METRIC_KEYS, MR_KEYS, evaluate_kaist, miss_rates, to_markdown, write_report

__all__ = [
    "AP_KEYS", "Detections", "FORMATS", "FPPI_POINTS", "GroundTruthBoxes", "ImageMatches", "KaistGroundTruth",
    "KaistMetric", "METRIC_KEYS", "MR_KEYS", "MissRateCurve", "MissRateSetup", "REASONABLE", "SUBSETS",
    "box_overlaps", "coco_ap", "collect_predictions", "detect_format", "evaluate_kaist", "evaluation_ignore",
    "frame_key", "from_pred_instances", "load_detections", "load_ground_truth", "log_average_miss_rate",
    "match_image", "miss_rate_curve", "miss_rates", "period_of", "read_coco_json", "read_kaist_txt",
    "read_mmdet_pickle", "to_markdown", "write_coco_json", "write_kaist_txt", "write_report",
]
