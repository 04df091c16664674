"""The pairs and sets the fusion phase reads: the pairs named in the splits and the sets the configs read whole."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mmengine.config import Config

REPO = Path(__file__).resolve().parents[3]
SPLITS = REPO / "configs" / "fusion" / "splits"
FUSION_CONFIGS = tuple(REPO / "configs" / "fusion" / f"{name}.py"
                       for name in ("stage1_msfam", "classifier", "stage1_nestfuse", "stage2_msfam_target",
                                    "stage2_msfam"))


def split_names(splits: Path = SPLITS) -> dict[str, list[str]]:
    """Pair names ``<set>/<stem>`` of ``splits/{train,val,test}.txt`` (``#`` starts a comment)."""
    names = {}
    for split in ("train", "val", "test"):
        lines = (splits / f"{split}.txt").read_text(encoding="utf-8-sig").splitlines()
        names[split] = [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
    return names


def named_pairs(splits: Path = SPLITS) -> set[str]:
    """Every pair name of the three splits."""
    return {name for names in split_names(splits).values() for name in names}


def whole_sets(configs: tuple[Path, ...] = FUSION_CONFIGS) -> list[str]:
    """Paired sets that the fusion phases' configs read whole (``sets=[...]`` anywhere in them), in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sets" and isinstance(value, (list, tuple)):
                    found.extend(s for s in value if s not in found)
                else:
                    walk(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)

    for config in configs:
        walk(Config.fromfile(str(config)).to_dict())
    return found
