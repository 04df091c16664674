"""Build a fused dataset for detection: one folder per fusion method, plus the shared COCO annotations.

Subcommands (one per dataset; each writes <out>/<method>/<frame>.jpg, <out>/<method>/meta.json,
<out>/annotations/<split>.json and <out>/annotations/<split>.bad_frames.json):

  kaist   KAIST Multispectral Pedestrian (colour + thermal, 640x512), its original layout; frames
          setXX/VYYY/IZZZZZ, splits from imageSets/, xml annotations (all labels; person boxes, the rest
          ignore regions).
  llvip   LLVIP (1280x1024): visible/<split>/, infrared/<split>/, Annotations/*.xml (or vi/, ir/,
          annotations/); --annotations takes a VOC folder or a COCO json. Frames <split>/<stem>.
  msrs    MSRS (640x480): <split>/vi/, <split>/ir/ (or vi/, ir/) with YOLO labels in labels/<variant>/;
          --labels picks the variant (infrared: the most complete). Frames <split>/<stem>.

A rerun skips the images already written (so an interrupted run resumes with the same command) and refuses a
method folder made with other settings. Several processes can fill one folder: give each --shard i/n, or start
them with torchrun (shard = RANK/WORLD_SIZE, --device cuda = cuda:LOCAL_RANK).

Examples:
    python tools/fuse_dataset.py kaist --root data/kaist --out data/kaist_fused \\
        --split test-all-20 --methods msfam,nestfuse,average,visible,lwir
    python tools/fuse_dataset.py kaist --root data/kaist --split test-mini-9 --methods tif --limit 5 --grey
    python tools/fuse_dataset.py llvip --root data/LLVIP --split test --methods msfam,visible,lwir
    python tools/fuse_dataset.py msrs --root data/MSRS --split test --labels infrared --methods msfam,nestfuse
    torchrun --nproc-per-node 8 tools/fuse_dataset.py kaist --root data/kaist --split train-all-02 \\
        --methods msfam --checkpoint msfam=work_dirs/msfam/best.pth --device cuda --batch-size 16
"""
from __future__ import annotations

import argparse
import os
import signal
import sys

from fusion.apis.inference import BACKENDS, OUTPUT_MODES
from fusion.jobs import fuse_dataset as job
from fusion.utils.cli import argument_type, name_value, positive_int
from fusion.utils.files import describe_write_error
from fusion.utils.run_lock import FolderInUseError

DATASETS = {  # subcommand: (help, --root help, --split help, default --out)
    "kaist": ("KAIST Multispectral Pedestrian", "KAIST root folder, with images/, annotations-xml-new/ and imageSets/",
              "a list of <root>/imageSets (e.g. train-all-02, test-all-20) or a list file", "data/kaist_fused"),
    "llvip": ("LLVIP", "LLVIP root folder, with visible/, infrared/ and Annotations/ (or vi/, ir/, annotations/)",
              "train or test (a folder of visible/ and infrared/)", "data/llvip_fused"),
    "msrs": ("MSRS", "MSRS root folder, with <split>/vi/ and <split>/ir/ (or vi/, ir/) and labels/<variant>/",
             "train or test", "data/msrs_fused"),
}


def _add_dataset(subparsers, name: str) -> None:
    title, root_help, split_help, out = DATASETS[name]
    parser = subparsers.add_parser(name, help=title,
                                   description=f"Fuse the visible/infrared pairs of a {title} split with each method.")
    parser.add_argument("--root", required=True, help=root_help)
    parser.add_argument("--out", default=out, help=f"output folder (default: {out})")
    parser.add_argument("--split", default=job.ADAPTERS[name].default_split,
                        help=f"{split_help} (default: {job.ADAPTERS[name].default_split})")
    parser.add_argument("--methods", required=True,
                        help=f"comma-separated methods, one folder each: {', '.join(job.available_methods())} "
                             "(visible and lwir copy the source band); FOLDER=METHOD writes a method into another "
                             "folder (msfam_tuned=msfam with --checkpoint msfam_tuned=PATH)")
    parser.add_argument("--checkpoint", action="append", default=[], type=name_value, metavar="NAME=PATH",
                        help="weights of a network method or folder (default: its shipped weights); repeatable")
    parser.add_argument("--annotations", help={
        "kaist": "annotation folder or tarball (default: <root>/annotations-xml-new)",
        "llvip": "a folder of VOC xml or a COCO json (default: <root>/Annotations or <root>/annotations)",
        "msrs": "a folder of YOLO label files (default: labels/<--labels> beside the image folders)"}[name])
    if name == "msrs":
        parser.add_argument("--labels", choices=job.LABEL_VARIANTS, default="infrared",
                            help="label variant: annotated on the infrared (default, most complete), visible or "
                                 "fused image")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ... (default: cpu)")
    parser.add_argument("--backend", choices=BACKENDS, default="auto",
                        help="where the networks run: torch, onnxruntime (their ONNX graph, float32; needs the onnx "
                        "extra), or auto (default: onnxruntime on the CPU when installed, else torch)")
    parser.add_argument("--dtype", choices=tuple(job.DTYPES), default="float32",
                        help="compute dtype of the fusion methods (bfloat16/float16 run under autocast)")
    parser.add_argument("--batch-size", type=positive_int, default=8, help="pairs fused together (default: 8)")
    parser.add_argument("--workers", type=int, default=min(4, max(0, (os.cpu_count() or 1) - 2)),
                        help="decoding processes and as many writer threads; 0 does everything in this process, "
                             "the fastest on 2 cores (default: CPUs - 2, at most 4)")
    parser.add_argument("--grey", action="store_true",
                        help="write greyscale images (default: colour, the fused luminance with the visible chroma)")
    parser.add_argument("--output", choices=OUTPUT_MODES, default="minmax",
                        help="minmax: stretch each fused image to 0..255 (the paper); clip: clip to 0..255")
    parser.add_argument("--jpeg-quality", type=int, default=95, help="JPEG quality 0-100 (default: 95)")
    parser.add_argument("--shard", type=argument_type(job.parse_shard), metavar="I/N",
                        help="fuse every N-th batch of --batch-size frames, from the I-th (0 <= I < N), of the "
                             "sorted frame list: shards are disjoint, cover the split, and give the same bytes as "
                             "one run (default: RANK/WORLD_SIZE under torchrun, else 0/1)")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="only the first N frames of the list (trials)")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first bad frame (missing, truncated or mismatched image, missing "
                             "annotation) instead of reporting it and going on")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="dataset", required=True, metavar="DATASET")
    for name in DATASETS:
        _add_dataset(subparsers, name)
    args = parser.parse_args(argv)
    if args.workers < 0:
        parser.error("--workers must be >= 0")
    if not 0 <= args.jpeg_quality <= 100:
        parser.error("--jpeg-quality must be 0-100")
    args.methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if not args.methods:
        parser.error("--methods names no method")
    return args


def run(args: argparse.Namespace) -> None:
    """Fuse a split (see ``fusion.jobs.fuse_dataset``); under torchrun only rank 0 shows progress."""
    extra = {"labels": args.labels} if args.dataset == "msrs" else {}
    adapter = job.ADAPTERS[args.dataset](args.root, annotations=args.annotations, **extra)
    env_shard = job.shard_from_env()
    options = job.RunOptions(device=args.device, backend=args.backend, batch_size=args.batch_size, workers=args.workers,
                             shard=args.shard or env_shard or job.Shard(), limit=args.limit, strict=args.strict,
                             progress=not args.no_progress and (env_shard is None or env_shard.index == 0))
    pixels = job.PixelOptions(colour=not args.grey, output=args.output, jpeg_quality=args.jpeg_quality,
                              dtype=args.dtype)
    job.fuse_dataset(adapter, args.out, args.methods, split=args.split, pixels=pixels, options=options,
                     checkpoints=dict(args.checkpoint))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # schedulers stop jobs with SIGTERM: finish, record, exit
    try:
        run(args)
    except job.BadFrameError as error:
        sys.exit(f"error (--strict): {error}")
    except job.SettingsMismatch as error:
        sys.exit(f"error: refused: {error}")
    except FolderInUseError as error:
        sys.exit(f"error: refused: {error}")
    except (FileNotFoundError, ImportError, KeyError, ValueError) as error:
        sys.exit(f"error: {error.args[0] if isinstance(error, KeyError) else error}")
    except OSError as error:
        sys.exit(f"error: {describe_write_error(error)}")
    except KeyboardInterrupt:
        print("interrupted: the images written so far are complete; run the same command again to finish",
              file=sys.stderr)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    main()
