"""Reports on the fusion weights: install trained weights with model cards, the quality report, the ablation table.

Subcommands (run in this order after `SCHEDULE=cpu bash tools/train_fusion_all.sh`):
    python tools/fusion_report.py weights --runs work_dirs/cpu      # fusion/weights/{msfam,nestfuse}.pth + README.md
    python tools/fusion_report.py quality                           # fusion/weights/report/quality.md, .csv, gallery.png
    python tools/fusion_report.py ablations --runs work_dirs/cpu    # fusion/weights/report/ablations.md

`quality` fuses the held-out split, TNO-21 and MSRS with MSFAM, NestFuse (shipped weights) and the
classical baselines, scores every metric, times each method at 640x512 on the CPU and draws a gallery;
fused images are cached in --work-dir, so a rerun only scores.
"""
from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from pathlib import Path

from tqdm import tqdm

from fusion.apis.inference import DEFAULT_WEIGHTS_DIR
from fusion.reports import ablation_table, evaluation_sets, run_quality_report, write_gallery
from fusion.reports.markdown import ablation_markdown, quality_markdown
from fusion.reports.model_card import model_card, read_meta
from fusion.reports.quality import DEFAULT_METHODS
from fusion.utils.cli import name_value

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_TEST_LIST = REPO / "configs" / "fusion" / "splits" / "test.txt"
REPORT_DIR = DEFAULT_WEIGHTS_DIR / "report"
STAGE1_DATA = ("every image below ../shared/data/fusion (TNO, RoadScene, MSRS, LLVIP) and ../shared/data/kaist/images "
               "as single greyscale images, minus those of the 26 held-out pairs (875 images)")
STAGE2_DATA = ("the training side of the TNO + RoadScene split, configs/fusion/splits/train.txt (241 pairs); "
               "classifier: those pairs plus MSRS and LLVIP; validation: splits/test.txt (26 pairs)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n", 2)[2])
    sub = parser.add_subparsers(dest="command", required=True)
    weights = sub.add_parser("weights", help="copy trained networks into fusion/weights and write their model cards")
    weights.add_argument("--runs", required=True, help="folder of the training runs (tools/train_fusion_all.sh's OUT)")
    weights.add_argument("--out", default=str(DEFAULT_WEIGHTS_DIR), help="weights folder (default: fusion/weights)")
    weights.add_argument("--train-command", default="SCHEDULE=cpu bash tools/train_fusion_all.sh",
                         help="the command that trained the runs, quoted in the cards")
    weights.add_argument("--note", default="", help="a paragraph added under the title (e.g. what the runs share)")

    quality = sub.add_parser("quality", help="fuse, score, time and draw the gallery")
    quality.add_argument("--data-root", default=str(DEFAULT_DATA), help="data folder (default ../shared/data)")
    quality.add_argument("--test-list", default=str(DEFAULT_TEST_LIST), help="held-out pairs (splits/test.txt)")
    quality.add_argument("--methods", default=",".join(DEFAULT_METHODS), help="comma-separated fusion methods")
    quality.add_argument("--checkpoint", action="append", default=[], type=name_value, metavar="METHOD=PATH",
                         help="weights other than the shipped ones, e.g. msfam=work_dirs/cpu/stage2_msfam/best.pth")
    quality.add_argument("--work-dir", default="work_dirs/report", help="cache of fused images")
    quality.add_argument("--out", default=str(REPORT_DIR), help="folder of quality.md, quality.csv, gallery.png")
    quality.add_argument("--workers", type=int, default=2, help="processes scoring images")
    quality.add_argument("--speed-repeats", type=int, default=3, help="timed repeats at 640x512 per method")

    ablations = sub.add_parser("ablations", help="the ablation table of Tables 1-3 from the training runs")
    ablations.add_argument("--runs", required=True, help="folder of the training runs")
    ablations.add_argument("--data-root", default=str(DEFAULT_DATA), help="data folder (default ../shared/data)")
    ablations.add_argument("--test-list", default=str(DEFAULT_TEST_LIST), help="held-out pairs (splits/test.txt)")
    ablations.add_argument("--out", default=str(REPORT_DIR / "ablations.md"), help="Markdown file to write")
    return parser.parse_args(argv)


def _display(path: str | Path) -> str:
    """``path`` relative to the repository when inside it (the reports quote portable paths)."""
    path = Path(path).resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _command(argv: list[str] | None) -> str:
    """This invocation as a command line to quote in a report (the command that regenerates it)."""
    return "python tools/fusion_report.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))


def install_weights(args: argparse.Namespace) -> None:
    runs, out = Path(args.runs), Path(args.out)
    stage2 = runs / "stage2_msfam" / "best.pth"
    if not stage2.is_file():
        stage2 = runs / "stage2_msfam" / "final.pth"
    sources = {"msfam": stage2, "nestfuse": runs / "stage1_nestfuse" / "final.pth"}
    missing = [str(p) for p in [*sources.values(), runs / "stage1_msfam" / "final.pth"] if not p.is_file()]
    if missing:
        sys.exit(f"error: missing run outputs: {', '.join(missing)} (train them with tools/train_fusion_all.sh)")
    out.mkdir(parents=True, exist_ok=True)
    for name, source in sources.items():
        shutil.copyfile(source, out / f"{name}.pth")
    stage1_meta = read_meta(runs / "stage1_msfam" / "final.pth")
    classifier = next((p for p in (runs / "classifier" / "best.pth", runs / "classifier" / "final.pth") if p.is_file()),
                      None)
    cards = [
        "# Shipped fusion weights",
        "",
        "Inference networks in the `fusion.apis` checkpoint format, loaded by `load_fuser(method)`, "
        "`tools/fuse_folder.py` and `tools/fuse_dataset.py` when no checkpoint is given. Trained on a 2-core CPU "
        "with the shortened schedule of `tools/train_fusion_all.sh` (`SCHEDULE=cpu`): far fewer iterations and "
        "smaller crops than the paper's (10,000 stage-1 iterations of 320x256, 20 stage-2 epochs); the GPU "
        "schedule (`SCHEDULE=gpu`) trains the paper's. Quality report: `report/quality.md`; ablations: "
        "`report/ablations.md`. Training times are wall time on that CPU.",
        "",
        *([args.note, ""] if args.note else []),
        model_card("MSFAM (HIN nest encoder/decoder, four attention fusion blocks)", out / "msfam.pth",
                   read_meta(out / "msfam.pth"), f"stage 1: {STAGE1_DATA}; stage 2: {STAGE2_DATA}.",
                   args.train_command, stage1_meta, read_meta(classifier) if classifier else None),
        model_card("NestFuse baseline (auto-encoder, hand-designed fusion at inference)", out / "nestfuse.pth",
                   read_meta(out / "nestfuse.pth"), f"{STAGE1_DATA} (the same images, loss and schedule as MSFAM's "
                   "stage 1).", args.train_command),
    ]
    (out / "README.md").write_text("\n".join(cards))
    print(f"wrote {out / 'msfam.pth'} (from {stage2}), {out / 'nestfuse.pth'}, {out / 'README.md'}")


def quality_report(args: argparse.Namespace, argv: list[str] | None) -> None:
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if not {"msfam", "nestfuse"} <= set(methods):
        sys.exit("error: --methods must include msfam and nestfuse (the report compares them)")
    try:
        sets = evaluation_sets(Path(args.data_root) / "fusion", args.test_list)
        checkpoints = dict(args.checkpoint)
        progress = lambda items, total, desc: tqdm(items, total=total, desc=desc, unit="pair")  # noqa: E731
        report = run_quality_report(sets, args.work_dir, methods, {k: Path(v) for k, v in checkpoints.items()},
                                    workers=args.workers, speed_repeats=args.speed_repeats, progress=progress)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    by_name = {s.name: s for s in sets}
    msrs = by_name["msrs"].pairs
    rows = [("held-out", by_name["heldout"].pairs[0]), ("TNO", by_name["tno21"].pairs[0]),
            ("day", next(p for p in msrs if p.name.endswith("D"))), ("night", next(p for p in msrs if p.name.endswith("N")))]
    gallery = write_gallery(rows, report.folders, out / "gallery.png")
    (out / "quality.md").write_text(quality_markdown(report, _command(argv), gallery.name))
    (out / "quality.csv").write_text(report.to_csv())
    ahead, _ = report.target()
    print(f"wrote {out / 'quality.md'}, quality.csv, gallery.png; MSFAM ahead of NestFuse on {len(ahead)} of 6 "
          f"paper metrics on the held-out split ({', '.join(ahead) or 'none'})")


def ablation_report(args: argparse.Namespace, argv: list[str] | None) -> None:
    try:
        rows = ablation_table(args.runs, Path(args.data_root) / "fusion", args.test_list)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(ablation_markdown(rows, _command(argv), _display(args.runs)))
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.command == "weights":
        install_weights(args)
    elif args.command == "quality":
        quality_report(args, argv)
    else:
        ablation_report(args, argv)


if __name__ == "__main__":
    main()
