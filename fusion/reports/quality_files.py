"""The quality report's files: ``quality.md``, ``quality.csv``, ``gallery.png`` and ``leaderboard_gallery.png``."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..utils.files import atomic_write_text
from .gallery import write_gallery
from .leaderboard import DEFAULT_MIN_PAIRS, Leaderboard, build_leaderboards, write_leaderboard_gallery
from .quality import DEFAULT_METHODS, TARGET_METRIC, Progress, QualityReport, run_quality_report
from .render import quality_markdown
from .sets import EvalSet, default_gallery_rows


def write_quality_report(sets: Sequence[EvalSet], out: str | Path, command: str, work_dir: str | Path,
                         published: str | Path, methods: Sequence[str] = DEFAULT_METHODS,
                         checkpoints: dict[str, Path] | None = None, min_pairs: int = DEFAULT_MIN_PAIRS,
                         workers: int = 1, speed_repeats: int = 3,
                         progress: Progress | None = None) -> tuple[QualityReport, list[Leaderboard]]:
    """Fuse, score and time (:func:`run_quality_report`), rank among the published outputs under ``published``
    (:func:`build_leaderboards`, none where a set has none), draw both galleries and write the files to ``out``.

    Args:
        command: the command line that regenerates the report (quoted in it).
    """
    report = run_quality_report(sets, work_dir, methods, checkpoints, workers=workers, speed_repeats=speed_repeats,
                                progress=progress)
    boards = build_leaderboards(sets, report.folders, published, TARGET_METRIC, min_pairs, workers, progress)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gallery = write_gallery(default_gallery_rows(list(sets)), report.folders, out / "gallery.png")
    board_gallery = write_leaderboard_gallery(boards, sets, report.folders, out / "leaderboard_gallery.png")
    atomic_write_text(out / "quality.md", quality_markdown(report, command, gallery.name, boards,
                                                           board_gallery.name if board_gallery else None))
    atomic_write_text(out / "quality.csv", report.to_csv())
    return report, boards
