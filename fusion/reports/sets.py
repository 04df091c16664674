"""The evaluation sets of the quality report and how their fused images are named on disk."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..datasets.paired import PairRecord, index_pairs, read_file_list


@dataclass(frozen=True)
class EvalSet:
    """Named pairs to fuse and score.

    Attributes:
        name: short name (``heldout``, ``tno21``, ``msrs``).
        description: one line for the report.
        pairs: the pairs, named ``<set>/<stem>``.
    """

    name: str
    description: str
    pairs: tuple[PairRecord, ...]


def evaluation_sets(fusion_root: str | Path, test_list: str | Path) -> list[EvalSet]:
    """The report's three sets: the held-out TNO + RoadScene split, TNO-21 and MSRS (all pairs).

    Args:
        fusion_root: folder of the paired sets (``../shared/data/fusion``).
        test_list: the held-out split (``configs/fusion/splits/test.txt``).
    """
    heldout = tuple(index_pairs(fusion_root, names=read_file_list(test_list)))
    tno21 = tuple(index_pairs(fusion_root, sets=["tno21"]))
    msrs = tuple(index_pairs(fusion_root, sets=["msrs"]))
    return [
        EvalSet("heldout", f"held-out TNO + RoadScene pairs never seen in training ({Path(test_list).name}, "
                           f"{len(heldout)} pairs)", heldout),
        EvalSet("tno21", f"TNO, the 21-pair benchmark set ({len(tno21)} pairs; 6 are in the stage-2 training split, "
                         "all were stage-1 single images)", tno21),
        EvalSet("msrs", f"MSRS, day and night road scenes ({len(msrs)} pairs; never in stage 2, seen as stage-1 "
                        "single images and by the classifier)", msrs),
    ]


def fused_file_name(pair: PairRecord) -> str:
    """``<set>__<stem>.png``: one flat folder per method holds the fused images of every set."""
    return pair.name.replace("/", "__") + ".png"


def default_gallery_rows(sets: list[EvalSet]) -> list[tuple[str, PairRecord]]:
    """The quality gallery's rows: the first held-out and TNO pairs, an MSRS day and an MSRS night pair."""
    by_name = {s.name: s for s in sets}
    msrs = by_name["msrs"].pairs
    return [("held-out", by_name["heldout"].pairs[0]), ("TNO", by_name["tno21"].pairs[0]),
            ("day", next(p for p in msrs if p.name.endswith("D"))),
            ("night", next(p for p in msrs if p.name.endswith("N")))]
