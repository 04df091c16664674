"""Reports on the shipped fusion weights: quality on held-out sets, gallery, speed, ablations."""
from .ablation import ABLATION_ROWS, AblationRow, ablation_table, read_record, write_record
from .gallery import write_gallery
from .quality import QualityReport, run_quality_report
from .sets import EvalSet, default_gallery_rows, evaluation_sets

__all__ = ["ABLATION_ROWS", "AblationRow", "EvalSet", "QualityReport", "ablation_table", "default_gallery_rows",
           "evaluation_sets", "read_record", "run_quality_report", "write_gallery", "write_record"]
