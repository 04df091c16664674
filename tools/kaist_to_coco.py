"""Convert a KAIST split's annotations to one COCO json (the annotation file of every detection run).

Annotations come from a folder (the xml tree ``annotations-xml-new`` or a flat folder of bbGt txt) or
straight from a tarball (``annotations-xml-new-full.tar.gz``, streamed, never unpacked). The json's
``file_name`` is ``setXX/VYYY/IZZZZZ.jpg``: images are read from a folder of that layout, fused or one of the
``visible`` / ``lwir`` passthrough folders of ``tools/fuse_dataset.py`` (layout and ignore rules:
``fusion/datasets/kaist_coco.py``).

Example:
    python tools/kaist_to_coco.py --root ../shared/data/kaist --split test-all-20 \
        --annotations ../shared/data/kaist/annotations-xml-new-full.tar.gz --out data/kaist/test-all-20.json
"""
from __future__ import annotations

import argparse
import sys
import time
from functools import partial

from tqdm import tqdm

from fusion.datasets.kaist import IMAGE_SIZE, resolve_split
from fusion.datasets.kaist_coco import convert_split, write_coco
from fusion.utils.cli import image_size


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="KAIST root folder (with imageSets/)")
    parser.add_argument("--split", required=True,
                        help="list name in ROOT/imageSets (e.g. test-all-20, train-all-02) or a path to a list file")
    parser.add_argument("--annotations", default=None,
                        help="annotation folder (xml tree or flat bbGt txt) or tarball "
                             "(default: ROOT/annotations-xml-new)")
    parser.add_argument("--out", required=True, help="COCO json to write")
    parser.add_argument("--size", type=image_size, default=IMAGE_SIZE, metavar="WxH",
                        help="image size; boxes are clipped to it (default: KAIST's 640x512)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        name, frame_ids = resolve_split(args.root, args.split)
        progress = partial(tqdm, total=len(frame_ids), desc=f"reading {name}", unit="frame")
        coco, stats = convert_split(args.root, args.split, args.annotations, args.size, progress)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    path = write_coco(coco, args.out)
    print(stats.table())
    missing = stats.frames_without_annotation
    if missing:
        print(f"warning: {len(missing)} frame(s) without annotation, written without boxes: "
              f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
    if stats.unknown_labels:
        print(f"warning: labels KAIST does not define, written as ignore regions: {', '.join(stats.unknown_labels)}")
    print(f"wrote {path} ({name}: {stats.images} images, {stats.annotations} boxes) "
          f"in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
