"""The Python half of ``tools/device_run.sh``: data for its phases, step records and ``summary.json``.

Subcommands (``tools/device_run.sh`` calls them; each is usable alone):

    python tools/device_run.py tiny-fusion-data DIR           # a tiny stand-in of the fusion data (dry run)
    python tools/device_run.py synthetic-kaist DIR --pairs-per-set 64 --size 640x512 --repeat 8
    python tools/device_run.py pack-data --data ../shared/data --out .device_data.tgz --carry .device_wheels/base
    python tools/device_run.py step --steps FILE --name NAME --rc 0 --wall 12.3 -- COMMAND ...
    python tools/device_run.py environment --summary OUT/summary.json --device cuda --phases "fusion bench"
    python tools/device_run.py phase --summary OUT/summary.json --work WORK/fusion --name fusion --wall 300

``pack-data`` writes the fusion data that the fusion phase reads as a gzipped tarball sized to travel to the
device machine: there, the working tree (tracked and untracked-not-ignored files) and the carried paths
together may hold 64 MiB (what it packs: ``fusion/jobs/device_run/packing.py``).

The logic is in :mod:`fusion.jobs.device_run`. ``step``, ``environment`` and ``phase`` run on the device
machine before the carried wheels are installed (or when they fail to): they import only modules that need
the standard library; the subcommands that need numpy, OpenCV or mmengine import theirs when they run.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fusion.jobs.device_run.environment import probe_environment
from fusion.jobs.device_run.steps import append_step
from fusion.jobs.device_run.summary import record_phase, start_summary
from fusion.utils.cli import image_size

REPO = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("tiny-fusion-data", help="tiny stand-in of the fusion data (dry run)")
    p.add_argument("root", type=Path)
    p.add_argument("--size", type=int, default=64)
    p = sub.add_parser("synthetic-kaist", help="synthetic KAIST with repeated frames (list 'bench')")
    p.add_argument("root", type=Path)
    p.add_argument("--pairs-per-set", type=int, default=64)
    p.add_argument("--size", type=image_size, default=(640, 512), help="WxH (default 640x512)")
    p.add_argument("--repeat", type=int, default=8)
    p = sub.add_parser("pack-data", help="tarball of the fusion data sized for a device call")
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    p.add_argument("--out", type=Path, default=REPO / ".device_data.tgz")
    p.add_argument("--carry", type=Path, nargs="*", default=[], help="other paths the same call carries")
    p.add_argument("--budget-mb", type=float, help="MiB the tarball may take (default: what is left of 64 MiB)")
    p = sub.add_parser("step", help="append a step record")
    p.add_argument("--steps", type=Path, required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--rc", type=int, help="exit status (omit: not run)")
    p.add_argument("--wall", type=float, default=0.0)
    p.add_argument("--note")
    p.add_argument("--skipped", choices=["time", "n/a"], help="why a step with no --rc did not run")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p = sub.add_parser("environment", help="start summary.json with the machine and software")
    p.add_argument("--summary", type=Path, required=True)
    p.add_argument("--device", required=True)
    p.add_argument("--phases", required=True)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--data-manifest", type=Path)
    p = sub.add_parser("phase", help="record a finished phase in summary.json")
    p.add_argument("--summary", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--wall", type=float, required=True)
    p.add_argument("--budget", type=float)
    p.add_argument("--rc", type=int, default=0, help="exit status of the phase's own script")
    p.add_argument("--note")
    return parser.parse_args(argv)


def pack(args: argparse.Namespace) -> None:
    from fusion.jobs.device_run.packing import pack_data  # needs mmengine and the datasets

    budget = None if args.budget_mb is None else int(args.budget_mb * 2**20)
    try:
        manifest = pack_data(args.data, args.out, args.carry, budget)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"device_run.py pack-data: {error}")
    print(json.dumps(manifest, indent=2))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.command == "tiny-fusion-data":
        from fusion.jobs.device_run.stand_in import tiny_fusion_data  # needs numpy, OpenCV and mmengine

        print(json.dumps(tiny_fusion_data(args.root, args.size)))
    elif args.command == "synthetic-kaist":
        from fusion.jobs.device_run.stand_in import synthetic_kaist

        print(json.dumps(synthetic_kaist(args.root, args.pairs_per_set, args.size, args.repeat)))
    elif args.command == "pack-data":
        pack(args)
    elif args.command == "step":
        command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        append_step(args.steps, args.name, args.rc, args.wall, command, args.note, args.skipped)
    elif args.command == "environment":
        environment = probe_environment()
        start_summary(args.summary, environment, args.device, args.phases, args.dry_run, args.data_manifest)
        print(json.dumps(environment, indent=2))
    elif args.command == "phase":
        entry = record_phase(args.summary, args.work, args.name, args.wall, args.budget, args.rc, args.note)
        print(f"{args.name}: {entry['status']} in {entry['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
