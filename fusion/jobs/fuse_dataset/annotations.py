"""The annotation file of a fused split and the report of its bad frames, shared by every method folder.

``<out>/annotations/<split>.json`` is the adapter's COCO file (:mod:`.adapters.base`), restricted to the
usable frames that have an annotation; image ids keep their rank in the split's list (for KAIST they match
``KAIST_annotation.json`` and the public result files of test-all-20). ``<split>.bad_frames.json`` lists what
was left out and why. Both depend only on the dataset's files, the split and ``--limit``, never on the method,
the shard or the process, so whichever process writes them writes the same bytes; a file that already holds
them is not rewritten.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...datasets.kaist_coco import coco_bytes
from ...utils.files import json_bytes, write_if_changed
from .adapters.base import Annotations, FrameListing
from .frames import BAD_KINDS, BadFrame, SourceFrame


def usable_annotations(annotations: Annotations, listing: FrameListing,
                       usable: list[SourceFrame]) -> tuple[dict, list[BadFrame]]:
    """COCO dict of the usable, annotated frames, and a problem per usable frame without annotation.

    Frames already left out for their images are not reported twice.
    """
    usable_ids = {frame.frame_id for frame in usable}
    missing = [BadFrame(f, "missing_annotation", annotations.unannotated[f], "no annotation file")
               for f in listing.frame_ids if f in annotations.unannotated and f in usable_ids]
    coco = annotations.coco
    keep = usable_ids - set(annotations.unannotated)
    images = [image for image in coco["images"] if image["frame_id"] in keep]
    image_ids = {image["id"] for image in images}
    info = dict(coco.get("info", {}), split=listing.name, selected_frames=len(listing.frame_ids),
                left_out_frames=len(listing.frame_ids) - len(images), bad_frames=f"{listing.name}.bad_frames.json")
    subset = dict(coco, info=info, images=images,
                  annotations=[a for a in coco["annotations"] if a["image_id"] in image_ids])
    return subset, missing


def bad_frames_report(split_name: str, frame_ids: list[str], usable: list[SourceFrame],
                      bad: list[BadFrame]) -> dict:
    """The JSON record of a split's bad frames: counts by kind and one entry per problem (list order)."""
    counts = Counter(b.kind for b in bad)
    return {"split": split_name, "selected_frames": len(frame_ids), "usable_frames": len(usable),
            "excluded_frames": len({b.frame_id for b in bad if b.excludes_frame}),
            "counts": {kind: counts[kind] for kind in BAD_KINDS if counts[kind]},
            "problems": [b.as_dict() for b in bad]}


def write_split_files(out: Path, split_name: str, coco: dict, report: dict) -> tuple[Path, Path]:
    """Write ``<out>/annotations/<split>.json`` and ``<split>.bad_frames.json`` unless they already hold this.

    Call it under the output folder's lock: two processes never write the same file at once.

    Returns:
        The two paths.
    """
    folder = out / "annotations"
    coco_path, report_path = folder / f"{split_name}.json", folder / f"{split_name}.bad_frames.json"
    write_if_changed(coco_path, coco_bytes(coco))
    write_if_changed(report_path, json_bytes(report))
    return coco_path, report_path
