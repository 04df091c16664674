"""Leaderboards: our methods ranked among published methods' outputs on the same pairs.

Published outputs lie as ``<published root>/<set>/<method>/<pair stem>.<ext>`` (``../shared/data/published``,
see its MANIFEST). On each set, the published methods that cover at least ``min_pairs`` of our pairs are
ranked; the pairs every ranked method covers are scored, our methods' fused images of the same pairs beside
them, with the code of the quality report. Each metric ranks the rows (1 = best; higher values are better
for every metric here; ties share the mean of their ranks), and rows are ordered by their mean rank over the
paper's six metrics. The infrared target contrast (ITC) is ranked on its own: it is not in the mean rank.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..datasets.folders import index_folder
from ..datasets.paired import PairRecord
from ..metrics import PAPER_METRICS
from .folder_scores import PairJob, score_jobs
from .gallery import write_image_gallery
from .quality import Progress
from .sets import EvalSet, fused_file_name

#: Published methods covering fewer of a set's pairs are listed but not ranked (the intersection would shrink).
DEFAULT_MIN_PAIRS = 5
#: How our rows are told apart from published ones (a published "NestFuse" sits beside our "nestfuse").
OURS_SUFFIX = " (ours)"
#: The set the aims below are set on ...
AIM_SET = "tno21"
#: ... the aim for MSFAM there: this place or better by mean rank ...
TOP_MEAN_RANK = 3
#: ... and this place or better on the infrared target contrast.
TOP_TARGET = 5


def index_published(root: str | Path, set_name: str) -> dict[str, dict[str, Path]]:
    """``{method: {pair stem: fused image}}`` of one set's published outputs (empty if the set has none).

    Raises:
        ValueError: a method folder holds two files with the same stem.
    """
    folder = Path(root) / set_name
    if not folder.is_dir():
        return {}
    return {method.name: index_folder(method) for method in sorted(folder.iterdir()) if method.is_dir()}


def rank(values: Mapping[str, float]) -> dict[str, float]:
    """Rank of each row, 1 = the highest value; tied values share the mean of their ranks; NaN ranks last."""
    def key(name: str) -> float:
        value = values[name]
        return -math.inf if math.isnan(value) else value

    ordered = sorted(values, key=key, reverse=True)
    ranks: dict[str, float] = {}
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and key(ordered[end + 1]) == key(ordered[start]):
            end += 1
        for name in ordered[start:end + 1]:
            ranks[name] = (start + end) / 2 + 1
        start = end + 1
    return ranks


@dataclass
class Leaderboard:
    """One set's leaderboard.

    Attributes:
        set_name: the evaluation set.
        stems: the pairs scored (every ranked method covers them).
        values: ``{row: {metric: mean over the pairs}}``, rows ordered by mean rank (best first).
        ranks: ``{row: {metric: rank}}`` for the paper's metrics and ITC.
        mean_rank: ``{row: mean of its ranks over the paper's six metrics}``.
        left_out: published methods not ranked, with how many of the set's pairs they cover.
        ours: the rows that are our methods.
        published: the ranked published methods' files, ``{method: {pair stem: image}}``.
    """

    set_name: str
    stems: list[str]
    values: dict[str, dict[str, float]]
    ranks: dict[str, dict[str, float]]
    mean_rank: dict[str, float]
    left_out: dict[str, int] = field(default_factory=dict)
    ours: list[str] = field(default_factory=list)
    published: dict[str, dict[str, Path]] = field(default_factory=dict)

    def place(self, row: str, metric: str | None = None) -> int:
        """1-based position of ``row`` by mean rank (or by ``metric``'s rank); tied rows share the better place."""
        key = self.mean_rank if metric is None else {name: ranks[metric] for name, ranks in self.ranks.items()}
        return 1 + sum(value < key[row] for value in key.values())


def select_published(published: Mapping[str, Mapping[str, Path]], stems: Sequence[str],
                     min_pairs: int) -> tuple[dict[str, dict[str, Path]], dict[str, int]]:
    """Split the published methods into those ranked (covering >= ``min_pairs`` of ``stems``) and those left out."""
    ranked, left_out = {}, {}
    for method, files in published.items():
        covered = {stem: files[stem] for stem in stems if stem in files}
        if len(covered) >= min_pairs:
            ranked[method] = covered
        else:
            left_out[method] = len(covered)
    return ranked, left_out


def build_leaderboard(eval_set: EvalSet, our_folders: Mapping[str, Path], published: Mapping[str, Mapping[str, Path]],
                      target_metric: str, min_pairs: int = DEFAULT_MIN_PAIRS, workers: int = 1,
                      progress: Progress | None = None) -> Leaderboard:
    """Score our methods and the published ones on the pairs all ranked methods cover, and rank them.

    Args:
        eval_set: our pairs (named ``<set>/<stem>``).
        our_folders: ``{our method: folder of its fused images}`` (named by :func:`fused_file_name`).
        published: :func:`index_published` of this set.
        target_metric: the metric ranked on its own (``ITC``).
        min_pairs: least coverage for a published method to be ranked.
        workers: processes scoring images.
        progress: wraps the scoring (``progress(results, total, description)``), e.g. a tqdm bar.

    Raises:
        ValueError: no published method covers ``min_pairs`` pairs, or the ranked ones share no pair.
    """
    pairs = {pair.name.split("/", 1)[1]: pair for pair in eval_set.pairs}
    ranked, left_out = select_published(published, list(pairs), min_pairs)
    if not ranked:
        raise ValueError(f"no published method covers {min_pairs} or more of the {len(pairs)} {eval_set.name} pairs "
                         "(lower --min-pairs to rank on fewer)")
    stems = [stem for stem in pairs if all(stem in files for files in ranked.values())]
    if not stems:
        raise ValueError(f"the published methods ranked on {eval_set.name} ({', '.join(ranked)}) share no pair")
    ours = {name + OURS_SUFFIX: Path(folder) for name, folder in our_folders.items()}
    jobs = [PairJob(stem, pairs[stem].ir, pairs[stem].vis,
                    {**{row: folder / fused_file_name(pairs[stem]) for row, folder in ours.items()},
                     **{method: files[stem] for method, files in ranked.items()}}) for stem in stems]
    metrics = [*PAPER_METRICS, target_metric]
    results = score_jobs(jobs, metrics, workers)
    per_image = list(progress(results, len(jobs), f"leaderboard {eval_set.name}") if progress else results)
    rows = [*ours, *ranked]
    values = {row: {m: sum(scores[row][m] for scores in per_image) / len(per_image) for m in metrics} for row in rows}
    by_metric = {m: rank({row: values[row][m] for row in rows}) for m in metrics}
    ranks = {row: {m: by_metric[m][row] for m in metrics} for row in rows}
    mean_rank = {row: sum(ranks[row][m] for m in PAPER_METRICS) / len(PAPER_METRICS) for row in rows}
    order = sorted(rows, key=lambda row: (mean_rank[row], row))
    return Leaderboard(eval_set.name, stems, {row: values[row] for row in order}, {row: ranks[row] for row in order},
                       {row: mean_rank[row] for row in order}, left_out, list(ours), ranked)


def build_leaderboards(sets: Sequence[EvalSet], our_folders: Mapping[str, Path], published_root: str | Path,
                       target_metric: str, min_pairs: int = DEFAULT_MIN_PAIRS, workers: int = 1,
                       progress: Progress | None = None) -> list[Leaderboard]:
    """:func:`build_leaderboard` of every set that has published outputs under ``published_root``."""
    boards = []
    for eval_set in sets:
        published = index_published(published_root, eval_set.name)
        if published:
            boards.append(build_leaderboard(eval_set, our_folders, published, target_metric, min_pairs, workers,
                                            progress))
    return boards


def gallery_row(board: Leaderboard, eval_set: EvalSet, our_folders: Mapping[str, Path], stem: str,
                ours: Sequence[str] = ("nestfuse", "msfam"), top: int = 3) -> tuple[str, PairRecord, dict[str, Path]]:
    """A gallery row of one pair: the ``top`` published rows by mean rank, then ``ours`` (our methods)."""
    pair = next(p for p in eval_set.pairs if p.name == f"{eval_set.name}/{stem}")
    best = [row for row in board.values if row not in board.ours][:top]
    columns = {row: board.published[row][stem] for row in best}
    columns |= {name + OURS_SUFFIX: Path(our_folders[name]) / fused_file_name(pair) for name in ours}
    return board.set_name, pair, columns


def write_leaderboard_gallery(boards: Sequence[Leaderboard], sets: Sequence[EvalSet], our_folders: Mapping[str, Path],
                              path: str | Path) -> Path | None:
    """One :func:`gallery_row` per leaderboard (its first pair) written as a PNG; None when there is no board."""
    if not boards:
        return None
    by_name = {s.name: s for s in sets}
    return write_image_gallery([gallery_row(b, by_name[b.set_name], our_folders, b.stems[0]) for b in boards], path)
