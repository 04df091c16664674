"""Write a seeded, deduplicated train/val/test split of paired fusion sets as file lists.

The lists hold pair names ``<set>/<stem>`` only (no data). Exact duplicates (equal pixels, e.g. tno21's
pairs inside tno40) are dropped, near copies are kept on one side, and every set is split on its own;
see ``fusion/datasets/split.py``. First ``--ratio`` of each set goes to the training side and the rest to
``test.txt`` (reported on, never used to choose anything); then ``--val-ratio`` of the training side is
carved out, by the same rules, as ``val.txt`` (model selection), the rest being ``train.txt``. The header
comments of each list record the command and the counts.

Example (the project's split, configs/fusion/splits/):
    python tools/make_fusion_split.py --data-root ../shared/data/fusion --sets tno40,tno21,roadscene \
        --ratio 0.9 --val-ratio 0.1 --seed 0 --out configs/fusion/splits/
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from fusion.datasets.paired import index_pairs
from fusion.datasets.split import Split, split_pairs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True, help="folder of the paired sets (<set>/ir, <set>/vi)")
    parser.add_argument("--sets", required=True,
                        help="comma-separated sets, in priority order for deduplication (e.g. tno40,tno21,roadscene)")
    parser.add_argument("--ratio", type=float, default=0.9, help="training fraction of each set (default 0.9)")
    parser.add_argument("--val-ratio", type=float, default=0.1,
                        help="fraction of the training side held out as val.txt for model selection (default 0.1; "
                             "0: no val.txt)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random order (default 0)")
    parser.add_argument("--near-duplicate", type=float, default=0.9,
                        help="thumbnail correlation from which two pairs stay on one side (default 0.9; >1: off)")
    parser.add_argument("--out", required=True, help="output folder of train.txt and test.txt")
    return parser.parse_args(argv)


def per_set(names: list[str]) -> str:
    """``"set count, ..."`` of pair names."""
    return ", ".join(f"{s} {n}" for s, n in Counter(name.split("/")[0] for name in names).items())


def summary(split: Split, val: list[str]) -> list[str]:
    """Human-readable counts of a split (also written as the lists' header comments)."""
    train = [name for name in split.train if name not in set(val)]
    lines = [f"train {len(train)} ({per_set(train)}); val {len(val)} ({per_set(val) or 'none'}); "
             f"test {len(split.test)} ({per_set(split.test)})",
             f"exact duplicates dropped: {len(split.duplicates)}"
             + "".join(f"\n  {dropped} == {kept}" for dropped, kept in split.duplicates),
             f"near-copy groups kept on one side: {len(split.groups)}"
             + "".join(f"\n  {' ~ '.join(group)}" for group in split.groups)]
    return lines


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    if not 0 <= args.val_ratio < 1:
        sys.exit(f"error: --val-ratio must be in [0, 1), got {args.val_ratio}")
    try:
        split = split_pairs(index_pairs(args.data_root, sets), args.ratio, args.seed, args.near_duplicate)
        val = []
        if args.val_ratio > 0:
            train_side = index_pairs(args.data_root, names=split.train)
            val = split_pairs(train_side, 1 - args.val_ratio, args.seed, args.near_duplicate).test
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = summary(split, val)
    header = [f"# tools/make_fusion_split.py --sets {','.join(sets)} --ratio {args.ratio} --val-ratio {args.val_ratio} "
              f"--seed {args.seed} --near-duplicate {args.near_duplicate}"]
    header += [f"# {line}" for text in lines for line in text.splitlines()]
    lists = {"train.txt": [name for name in split.train if name not in set(val)], "test.txt": split.test}
    if val:
        lists["val.txt"] = val
    for name, names in lists.items():
        (out / name).write_text("\n".join(header + names) + "\n")
    print("\n".join(lines))
    print(f"wrote {', '.join(str(out / name) for name in lists)}")


if __name__ == "__main__":
    main()
