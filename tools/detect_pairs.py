"""Detect pedestrians on colour/thermal pairs: fuse each pair, run a trained detector, draw and save the boxes.

Inputs (one of):
  --vis DIR --ir DIR                 a paired folder (files matched by name stem)
  --kaist ROOT --frames LIST         KAIST's layout: an imageSets list (test-mini-9, or a .txt path) or a
                                     sequence (set06/V001); frames missing a partner are skipped and listed
  --vis-video FILE --ir-video FILE   two synchronised videos (same frame count and size)

The pair is fused with --fusion (any registered method, or visible / lwir to use one band), then detected; a
detector fed both bands (gflv2_early.py, gflv2_halfway.py) takes the pair itself and no --fusion, and its
boxes are drawn on the visible image.
Outputs in --out: images/<name>.jpg (the detector's input with the boxes scoring >= --draw-thr), video.mp4
for video input, detections.bbox.json (COCO results) and detections.txt (KAIST kits' text,
image_index,x,y,w,h,score), both scored by tools/eval_kaist.py when --ann names the KAIST ground truth
(ids and indices then follow it; otherwise images are numbered 1.. in the order read, listed in images.json).

Example (the 9 real KAIST pairs, the demo's MSFAM detector):
    python tools/detect_pairs.py configs/demo/gflv2_fused.py outputs/demo/work_dirs/gflv2_fused/seed0/epoch_2.pth \\
        --kaist ../shared/data/kaist --frames test-mini-9 --fusion msfam \\
        --ann ../shared/data/kaist/KAIST_annotation.json --out outputs/detect_kaist
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
from mmengine.config import DictAction
from tqdm import tqdm

from detection.evaluation import load_ground_truth, write_coco_json, write_kaist_txt
from detection.datasets import stack_pair
from detection.runs.inference import detect, draw_boxes, load_detector, takes_pairs
from fusion.apis.inference import BACKENDS
from fusion.apis.pair_fusion import PairFusion
from fusion.datasets.pair_sources import PairReader, folder_pairs, kaist_pairs, video_pairs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("config", help="detection config (path, or a name in configs/detection)")
    parser.add_argument("checkpoint", help="the detector's checkpoint")
    parser.add_argument("--out", required=True, help="output folder")
    inputs = parser.add_argument_group("inputs (one of the three)")
    inputs.add_argument("--vis", help="folder of visible images")
    inputs.add_argument("--ir", help="folder of thermal images (paired with --vis by name)")
    inputs.add_argument("--kaist", help="KAIST root (images/setXX/VYYY/{visible,lwir}/)")
    inputs.add_argument("--frames", help="with --kaist: imageSets list name or .txt, or a sequence setXX/VYYY")
    inputs.add_argument("--vis-video", help="visible video")
    inputs.add_argument("--ir-video", help="thermal video, frame by frame with --vis-video")
    parser.add_argument("--fusion", help="fusion method, or visible / lwir for one band (default msfam; none for "
                        "a detector fed both bands)")
    parser.add_argument("--fusion-checkpoint", help="weights of a fusion network (default: the shipped ones)")
    parser.add_argument("--backend", choices=BACKENDS, default="auto", help="where the fusion network runs")
    parser.add_argument("--ann", help="KAIST ground truth json: ids and indices of the outputs follow it")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ... (fusion and detector)")
    parser.add_argument("--draw-thr", type=float, default=0.3, help="draw boxes scoring at least this (0.3)")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE",
                        help="override entries of the detection config (as tools/test_det.py)")
    return parser.parse_args(argv)


def open_reader(args: argparse.Namespace) -> PairReader:
    """The one input the command line names.

    Raises:
        ValueError: none or several inputs, or half of one.
    """
    given = {"folder": (args.vis, args.ir), "kaist": (args.kaist, args.frames),
             "video": (args.vis_video, args.ir_video)}
    chosen = [name for name, parts in given.items() if any(parts)]
    if len(chosen) != 1:
        raise ValueError("give one input: --vis/--ir, --kaist/--frames or --vis-video/--ir-video")
    name = chosen[0]
    if not all(given[name]):
        raise ValueError({"folder": "--vis and --ir go together", "kaist": "--kaist needs --frames",
                          "video": "--vis-video and --ir-video go together"}[name])
    if name == "folder":
        return folder_pairs(args.vis, args.ir)
    if name == "kaist":
        return kaist_pairs(args.kaist, args.frames)
    return video_pairs(args.vis_video, args.ir_video)


def image_ids(names: list[str], ann: str | None) -> tuple[list[int], object | None]:
    """Ids of the images in the ground truth (by KAIST frame name) when ``ann`` is given, else 1, 2, ..."""
    if ann is None:
        return list(range(1, len(names) + 1)), None
    gt = load_ground_truth(ann)
    ids = []
    for name in names:
        try:
            ids.append(gt.resolve_image_id(img_path=name))
        except KeyError:
            raise ValueError(f"frame {name} is not an image of {ann}") from None
    return ids, gt


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    reader = open_reader(args)
    for skipped in reader.skipped[:5]:
        print(f"skipping {skipped}")
    if len(reader.skipped) > 5:
        print(f"... and {len(reader.skipped) - 5} more without a partner")
    ids, gt = image_ids(reader.names, args.ann)
    detector = load_detector(args.config, args.checkpoint, args.device, args.cfg_options)
    pairs_in = takes_pairs(detector)
    if pairs_in and (args.fusion or args.fusion_checkpoint):
        raise ValueError(f"{args.config} is fed both bands: it takes no --fusion / --fusion-checkpoint")
    fusion = None if pairs_in else PairFusion(args.fusion or "msfam", args.fusion_checkpoint, args.device,
                                               args.backend)
    (out / "images").mkdir(parents=True, exist_ok=True)
    writer, detections = None, {}
    for image_id, (name, vis, ir) in tqdm(zip(ids, reader), total=len(ids), unit="pair",
                                          desc="pairs + detector" if pairs_in else f"{fusion.method} + detector"):
        shown = fusion(vis, ir) if fusion else (cv2.cvtColor(vis, cv2.COLOR_GRAY2BGR) if vis.ndim == 2 else vis)
        rows = detect(detector, [stack_pair(vis, ir) if pairs_in else shown])[0]
        detections[image_id] = rows
        drawn = draw_boxes(shown, rows, args.draw_thr)
        cv2.imwrite(str(out / "images" / f"{name.replace('/', '_')}.jpg"), drawn)
        if reader.fps is not None:
            writer = writer or cv2.VideoWriter(str(out / "video.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), reader.fps,
                                               (drawn.shape[1], drawn.shape[0]))
            writer.write(drawn)
    if writer is not None:
        writer.release()
    write_coco_json(out / "detections.bbox.json", detections, gt.person_category_id if gt else 1)
    if gt is not None:
        write_kaist_txt(out / "detections.txt", detections, gt)
    else:
        lines = [f"{i},{x:.2f},{y:.2f},{w:.2f},{h:.2f},{s:.5f}" for i in ids for x, y, w, h, s in detections[i]]
        (out / "detections.txt").write_text("\n".join(lines) + ("\n" if lines else ""))
    (out / "images.json").write_text(json.dumps([{"id": i, "name": n} for i, n in zip(ids, reader.names)], indent=1))
    n_boxes = sum(int((rows[:, 4] >= args.draw_thr).sum()) for rows in detections.values())
    print(f"{len(ids)} pair(s), {n_boxes} box(es) scoring >= {args.draw_thr}; wrote {out}/images/, "
          f"{'video.mp4, ' if writer is not None else ''}detections.bbox.json, detections.txt, images.json")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        run(args)
    except (FileNotFoundError, ImportError, KeyError, ValueError) as error:
        sys.exit(f"error: {error.args[0] if isinstance(error, KeyError) else error}")


if __name__ == "__main__":
    main()
