"""Reports on the fusion weights: install trained weights with model cards, the quality report, the ablation table.

Subcommands (run in this order after `SCHEDULE=cpu bash tools/train_fusion_all.sh`):
    python tools/fusion_report.py weights --runs work_dirs/cpu      # fusion/weights/{msfam,nestfuse}.pth + README.md
    python tools/fusion_report.py quality                           # fusion/weights/report/quality.{md,csv}, gallery
    python tools/fusion_report.py ablations --runs work_dirs/cpu    # fusion/weights/report/ablations.{md,csv}

`quality` fuses the held-out split, TNO-21 and MSRS with MSFAM, NestFuse (shipped weights) and the
classical baselines, scores every metric, times each method at 640x512 on the CPU, ranks them among the
published methods' outputs on the same pairs (leaderboards of TNO-21 and MSRS) and draws two galleries;
fused images are cached in --work-dir, so a rerun only scores.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from tqdm import tqdm

from fusion.apis.inference import DEFAULT_WEIGHTS_DIR
from fusion.reports import ablation_table, evaluation_sets, read_record, write_record
from fusion.reports.leaderboard import DEFAULT_MIN_PAIRS
from fusion.reports.quality import DEFAULT_METHODS
from fusion.reports.quality_files import write_quality_report
from fusion.reports.render import ablation_markdown, msfam_standing
from fusion.reports.shipped_weights import SHIPPED_MSFAM_RUN, install_weights
from fusion.utils.cli import name_value, positive_int
from fusion.utils.files import atomic_write_text, describe_write_error

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_TEST_LIST = REPO / "configs" / "fusion" / "splits" / "test.txt"
REPORT_DIR = DEFAULT_WEIGHTS_DIR / "report"


def _add_scoring_arguments(parser: argparse.ArgumentParser) -> None:
    """``--data-root``, ``--test-list``, ``--work-dir``, ``--workers``: what the scoring subcommands share."""
    parser.add_argument("--data-root", default=str(DEFAULT_DATA), help="data folder (default ../shared/data)")
    parser.add_argument("--test-list", default=str(DEFAULT_TEST_LIST), help="held-out pairs (splits/test.txt)")
    parser.add_argument("--work-dir", default="work_dirs/report", help="cache of fused images")
    parser.add_argument("--workers", type=positive_int, default=2, help="processes scoring images")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n", 2)[2],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    weights = sub.add_parser("weights", help="copy trained networks into fusion/weights and write their model cards")
    weights.add_argument("--runs", required=True, help="folder of the training runs (tools/train_fusion_all.sh's OUT)")
    weights.add_argument("--out", default=str(DEFAULT_WEIGHTS_DIR), help="weights folder (default: fusion/weights)")
    weights.add_argument("--train-command", default="SCHEDULE=cpu bash tools/train_fusion_all.sh",
                         help="the command that trained the runs, quoted in the cards")
    weights.add_argument("--msfam-run", default=SHIPPED_MSFAM_RUN,
                         help=f"the stage-2 run shipped as MSFAM (default: {SHIPPED_MSFAM_RUN})")
    weights.add_argument("--note", default="", help="a paragraph added under the title (e.g. what the runs share)")
    weights.add_argument("--data-root", default=str(DEFAULT_DATA), help="data folder (default ../shared/data)")
    weights.add_argument("--test-list", default=str(DEFAULT_TEST_LIST),
                         help="held-out pairs the classifier is scored on for its card (splits/test.txt)")

    quality = sub.add_parser("quality", help="fuse, score, time, rank among published methods, draw the galleries")
    _add_scoring_arguments(quality)
    quality.add_argument("--methods", default=",".join(DEFAULT_METHODS), help="comma-separated fusion methods")
    quality.add_argument("--checkpoint", action="append", default=[], type=name_value, metavar="METHOD=PATH",
                         help="weights other than the shipped ones, e.g. msfam=work_dirs/cpu/stage2_msfam/best.pth")
    quality.add_argument("--out", default=str(REPORT_DIR), help="folder of quality.md, quality.csv, the galleries")
    quality.add_argument("--speed-repeats", type=int, default=3, help="timed repeats at 640x512 per method")
    quality.add_argument("--published", help="published methods' outputs, <set>/<method>/<stem>.* (default: "
                         "<data-root>/published; leaderboards for the sets it has, none if it is absent)")
    quality.add_argument("--min-pairs", type=positive_int, default=DEFAULT_MIN_PAIRS,
                         help=f"least pairs a published method covers to be ranked (default {DEFAULT_MIN_PAIRS})")

    ablations = sub.add_parser("ablations", help="the ablation table of Tables 1-3 from the training runs")
    ablations.add_argument("--runs", required=True, help="folder of the training runs")
    _add_scoring_arguments(ablations)
    ablations.add_argument("--out", default=str(REPORT_DIR / "ablations.md"), help="Markdown file to write")
    ablations.add_argument("--record", help="CSV record of the scored rows, read for rows whose run is gone and "
                           "rewritten (default: --out with .csv)")
    return parser.parse_args(argv)


def _progress(items, total: int, desc: str):
    """A tqdm bar over ``items``."""
    return tqdm(items, total=total, desc=desc, unit="pair")


def _display(path: str | Path) -> str:
    """``path`` relative to the repository when inside it (the reports quote portable paths)."""
    path = Path(path).resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _command(argv: list[str] | None) -> str:
    """This invocation as a command line to quote in a report (the command that regenerates it)."""
    args = argv if argv is not None else sys.argv[1:]
    return "python tools/fusion_report.py " + " ".join(shlex.quote(a) for a in args)


def install(args: argparse.Namespace) -> None:
    try:
        installed = install_weights(args.runs, args.out, args.train_command, Path(args.data_root) / "fusion",
                                    args.test_list, args.note, args.msfam_run)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    print(f"wrote {', '.join(str(path) for path in installed.values())}")


def quality_report(args: argparse.Namespace, argv: list[str] | None) -> None:
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if not {"msfam", "nestfuse"} <= set(methods):
        sys.exit("error: --methods must include msfam and nestfuse (the report compares them)")
    out = Path(args.out)
    try:
        sets = evaluation_sets(Path(args.data_root) / "fusion", args.test_list)
        report, boards = write_quality_report(
            sets, out, _command(argv), args.work_dir, args.published or Path(args.data_root) / "published", methods,
            {k: Path(v) for k, v in args.checkpoint}, args.min_pairs, args.workers, args.speed_repeats, _progress)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    print(f"wrote {out / 'quality.md'}, quality.csv, gallery.png" + (", leaderboard_gallery.png" if boards else ""))
    for board in boards:
        print(f"  {board.set_name} leaderboard: {msfam_standing(board).replace('**', '')}")
    for name, verdict in report.targets().items():
        print(f"  {name}: {verdict.describe().replace('**', '')}")


def ablation_report(args: argparse.Namespace, argv: list[str] | None) -> None:
    try:
        out = Path(args.out)
        record = Path(args.record) if args.record else out.with_suffix(".csv")
        heldout = evaluation_sets(Path(args.data_root) / "fusion", args.test_list)[0]
        rows = ablation_table(args.runs, heldout, args.work_dir, workers=args.workers, progress=_progress,
                              record=read_record(record))
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    out.parent.mkdir(parents=True, exist_ok=True)
    eval_set = f"{heldout.name} ({heldout.description})"
    write_record(record, rows)
    atomic_write_text(out, ablation_markdown(rows, _command(argv), _display(args.runs), eval_set, record.name))
    kept = sum(1 for r in rows if r["recorded"])
    print(f"wrote {out} and {record}" + (f" ({kept} row(s) from the record: their runs are gone)" if kept else ""))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = {"weights": lambda: install(args), "quality": lambda: quality_report(args, argv),
               "ablations": lambda: ablation_report(args, argv)}[args.command]
    try:
        command()
    except OSError as error:  # a missing input is reported by each subcommand; this is a failed write
        sys.exit(f"error: {describe_write_error(error)}")


if __name__ == "__main__":
    main()
