"""Test a trained detector of configs/detection with the config's metric (KAIST AP and MR^-2).

Writes ``<work_dir>/test_record.json`` (metrics and provenance) for ``tools/compare_det.py``. With ``--out``
the raw predictions are also dumped (mmdet's ``DumpDetResults``) for offline re-evaluation.

Usage:
    python tools/test_det.py gflv2_fused.py work_dirs/gflv2_fused/epoch_24.pth [--work-dir DIR] [--seed N]
        [--data-root DIR] [--out results.pkl] [--trust-checkpoint] [--cfg-options KEY=VALUE ...] [--launcher ...]

The test predictions stay in <work_dir>/test_predictions.bbox.json (COCO results) and .txt (KAIST kits'
text) for the paired bootstrap of tools/compare_det.py. A run trained with --seed N is tested with the
same --seed N: the record goes to <work_dir>/seed<N>, beside its checkpoints.
"""
from __future__ import annotations

import argparse

from detection.checkpoint import apply_trust_argument
from detection.runs.records import record_test
from detection.runs.config import build_parser, build_runner, export_local_rank, resolve_config, testing_config
from detection.runs.data_check import MissingDataError, check_data


def parse_args() -> argparse.Namespace:
    parser = build_parser(__doc__.split("\n")[0], "tools/test_det.py")
    parser.add_argument("checkpoint", help="checkpoint to test")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="the training seed of the checkpoint: results go to <work_dir>/seed<N>")
    parser.add_argument("--out", metavar="RESULTS.pkl",
                        help="also dump the predictions (mmdet's DumpDetResults) for offline evaluation")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    export_local_rank(args.local_rank)
    apply_trust_argument(args)
    cfg = testing_config(args.config, args.checkpoint, work_dir=args.work_dir, cfg_options=args.cfg_options,
                         launcher=args.launcher, data_root=args.data_root, seed=args.seed)
    try:
        check_data(cfg, "test")
    except MissingDataError as error:
        raise SystemExit(f"error: {error}") from None
    runner = build_runner(cfg, dump_results=args.out)
    metrics = runner.test()
    if runner.rank == 0:
        print(f"wrote {record_test(cfg, metrics, resolve_config(args.config), args.checkpoint, args.seed)}")


if __name__ == "__main__":
    main()
