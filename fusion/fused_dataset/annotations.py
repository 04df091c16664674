"""The annotation file of a fused split and the report of its bad frames, shared by every method folder.

``<out>/annotations/<split>.json`` is the COCO file of :func:`fusion.datasets.kaist_coco.convert_split`,
restricted to the usable frames that have an annotation; image ids keep their rank in the split's list (so
they match ``KAIST_annotation.json`` and the public result files of test-all-20). ``<split>.bad_frames.json``
lists what was left out and why. Both depend only on the KAIST files, the split and ``--limit``, never on
the method, the shard or the process, so whichever process writes them writes the same bytes; a file that
already holds them is not rewritten.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from ..datasets.kaist_coco import convert_split, write_coco
from .files import json_bytes, write_if_changed
from .inputs import BAD_KINDS, BadFrame, SourceFrame, display_path


def split_annotations(root: str | Path, split: str | Path, frame_ids: list[str], usable: list[SourceFrame],
                      image_size: tuple[int, int], source: str | Path | None = None,
                      ) -> tuple[dict, list[BadFrame]]:
    """COCO dict of the usable, annotated frames, and the selected frames that have no annotation.

    Args:
        root: KAIST root folder.
        split: list name or list file (as given to :func:`~fusion.datasets.kaist_coco.convert_split`).
        frame_ids: the selected frames (the list, or its first ``--limit`` frames), in list order.
        usable: the frames that can be fused.
        image_size: ``(width, height)`` of the split's images.
        source: annotation folder or tarball; default ``<root>/annotations-xml-new``.

    Returns:
        ``(coco, missing)``: ``missing`` holds a ``missing_annotation`` problem per usable frame without one
        (frames already left out for their images are not reported twice).
    """
    root = Path(root)
    source_path = root / "annotations-xml-new" if source is None else Path(source)
    coco, stats = convert_split(root, split, annotations=source, image_size=image_size)
    unannotated = set(stats.frames_without_annotation)
    separator = ":" if source_path.is_file() else "/"  # a tarball member, or a file below a folder
    usable_ids = {frame.frame_id for frame in usable}
    missing = [BadFrame(f, "missing_annotation", f"{display_path(source_path, root)}{separator}{f}.xml",
                        "no annotation file") for f in frame_ids if f in unannotated and f in usable_ids]
    keep = usable_ids - unannotated
    images = [image for image in coco["images"] if image["frame_id"] in keep]
    image_ids = {image["id"] for image in images}
    info = dict(coco["info"], selected_frames=len(frame_ids), left_out_frames=len(frame_ids) - len(images),
                bad_frames=f"{coco['info']['split']}.bad_frames.json")
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
    if not _holds(coco_path, json.dumps(coco, separators=(",", ":")).encode("utf-8")):
        write_coco(coco, coco_path)
    write_if_changed(report_path, json_bytes(report))
    return coco_path, report_path


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False
