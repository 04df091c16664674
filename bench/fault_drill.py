"""Fault drill: break the long jobs the ways a cluster does and print what survived.

Runs on tiny generated data in a temporary folder, every job as a real process (about a minute on 2 cores):

1. sharded ``tools/fuse_dataset.py``: shard 1 of 2 killed (SIGKILL) mid-run, then rerun;
2. a second ``fuse_dataset`` on a folder in use; the holder killed; a third run;
3. a full disk (ENOSPC injected after 3 images) during ``fuse_dataset``, then the same command again;
4. ``tools/train_fusion.py``: a full disk at the third training state, ``--resume``; then ``last.pth`` truncated,
   ``--resume`` again;
5. ``load_fuser`` on a checkpoint cut short.

Usage: python bench/fault_drill.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fusion.datasets.synthetic_kaist import make_synthetic_kaist  # noqa: E402

SPLIT = "synthetic-all"
# tools/fuse_dataset.py with a slow method (SLOW_SECONDS per batch) and an optional full disk after FULL_AFTER images
FUSE = f"""
import errno, os, runpy, sys, time
from fusion.jobs.fuse_dataset import pipeline
from fusion.models.classical import AverageFusion
from fusion.registry import FUSION_MODELS
from fusion.utils.files import atomic_write

@FUSION_MODELS.register_module(name="slow_average", force=True)
class SlowAverage(AverageFusion):
    def forward(self, vis, ir):
        time.sleep(float(os.environ.get("SLOW_SECONDS", "0")))
        return super().forward(vis, ir)

written = []
def maybe_full(target, data):
    if len(written) == int(os.environ.get("FULL_AFTER", "-1")):
        def half(tmp):
            tmp.write_bytes(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
        atomic_write(target, half)
    atomic_write(target, lambda tmp: tmp.write_bytes(data))
    written.append(target)
pipeline.atomic_write_bytes = maybe_full
sys.argv = [{str(REPO / 'tools' / 'fuse_dataset.py')!r}, *sys.argv[1:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
# tools/train_fusion.py with a full disk at the FULL_AT-th training state
TRAIN = f"""
import errno, os, runpy, sys, torch
from fusion.engine import state
saves, save = [], torch.save
def maybe_full(obj, target):
    if str(target).endswith(".tmp.pth") and len(saves) + 1 == int(os.environ.get("FULL_AT", "-1")):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))
    save(obj, target)
    saves.append(target)
state.torch.save = maybe_full
sys.argv = [{str(REPO / 'tools' / 'train_fusion.py')!r}, *sys.argv[1:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def images(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.jpg"))}


def temporaries(folder: Path) -> int:
    return len(list(folder.rglob(".*tmp*")))


def run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *args], cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, **env), timeout=600)


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def fuse_args(root: Path, out: Path, method: str, *extra: str) -> list[str]:
    return ["kaist", "--root", str(root), "--out", str(out), "--split", SPLIT, "--methods", method, "--batch-size",
            "2", "--workers", "0", "--no-progress", *extra]


def killed_shard(root: Path, work: Path, reference: dict[str, bytes]) -> list[str]:
    out = work / "sharded"
    fast = subprocess.Popen([sys.executable, "-c", FUSE, *fuse_args(root, out, "slow_average", "--shard", "0/2")],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    slow = subprocess.Popen([sys.executable, "-c", FUSE, *fuse_args(root, out, "slow_average", "--shard", "1/2")],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, SLOW_SECONDS="3"))
    fast.wait(timeout=600)
    first = len(images(out / "slow_average"))
    while len(images(out / "slow_average")) == first and slow.poll() is None:
        time.sleep(0.05)
    slow.send_signal(signal.SIGKILL)
    slow.wait()
    at_kill = len(images(out / "slow_average"))
    rerun = run(FUSE, *fuse_args(root, out, "slow_average", "--shard", "1/2"))
    meta = json.loads((out / "slow_average" / "meta.json").read_text())
    same = images(out / "slow_average") == reference
    return ["killed shard 1/2 (SIGKILL), rerun", f"{at_kill} of {len(reference)} images at the kill",
            f"rerun exit {rerun.returncode}; folder == one-process run: {same}; split "
            f"{meta['splits'][SPLIT]['status']}, runs {[(r['shard'], r['status']) for r in meta['runs']]}"]


def folder_in_use(root: Path, work: Path) -> list[str]:
    out = work / "in_use"
    hold = ("import sys, time\nfrom fusion.utils.run_lock import run_lock\n"
            "with run_lock(sys.argv[1], 'fuse'):\n    print('held', flush=True)\n    time.sleep(600)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(out)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    holder.stdout.readline()
    second = run(FUSE, *fuse_args(root, out, "average"))
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    third = run(FUSE, *fuse_args(root, out, "average"))
    stale = [line for line in third.stdout.splitlines() if "stale" in line]
    return ["second run on a folder in use; holder killed", f"second: exit {second.returncode}: "
            f"{last_line(second.stderr)}", f"third: exit {third.returncode}, {len(images(out / 'average'))} images; "
            f"{stale[0] if stale else 'no stale lock reported'}"]


def full_disk_fuse(root: Path, work: Path, reference: dict[str, bytes]) -> list[str]:
    out = work / "full_disk"
    first = run(FUSE, *fuse_args(root, out, "average"), FULL_AFTER="3")
    kept = images(out / "average")
    whole = all(reference[name] == data for name, data in kept.items())
    second = run(FUSE, *fuse_args(root, out, "average"))
    return ["fuse_dataset, disk full after 3 images", f"exit {first.returncode}: {last_line(first.stderr)}; "
            f"{len(kept)} images kept, all whole: {whole}; temporaries left: {temporaries(out)}",
            f"same command again: exit {second.returncode}; folder == clean run: "
            f"{images(out / 'average') == reference}"]


def write_pairs(folder: Path, count: int) -> None:
    rng = np.random.default_rng(0)
    for band in ("ir", "vi"):
        (folder / band).mkdir(parents=True, exist_ok=True)
        for index in range(count):
            small = rng.uniform(0, 255, (6, 7)).astype(np.float32)
            cv2.imwrite(str(folder / band / f"{index}.png"), cv2.resize(small, (56, 48)).astype(np.uint8))


def training(work: Path) -> list[str]:
    data = work / "train_data"
    write_pairs(data / "fusion" / "s", 6)
    (data / "kaist" / "images").mkdir(parents=True)
    runs = work / "train_run"
    args = [str(REPO / "configs" / "fusion" / "stage1_msfam.py"), "--work-dir", str(runs), "--data-root", str(data),
            "--device", "cpu", "--no-progress", "--cfg-options", "task.model.widths=(4,6,8,10)",
            "task.model.stem_channels=4", "train_dataloader.num_workers=0",
            "train_dataloader.dataset.crop_size=(40,32)", "train_dataloader.dataset.exclude_pairs=None",
            "train_cfg.checkpoint_interval=2", "train_cfg.max_iters=8"]
    first = run(TRAIN, *args, FULL_AT="3")
    states = sorted(p.name for p in runs.glob("last*.pth"))
    resumed = run(TRAIN, *args, "--resume")
    last = runs / "last.pth"
    last.write_bytes(last.read_bytes()[:1000])
    damaged = run(TRAIN, *[a if a != "train_cfg.max_iters=8" else "train_cfg.max_iters=10" for a in args], "--resume")
    warning = [line for line in damaged.stderr.splitlines() if "damaged" in line]
    return ["train_fusion: disk full at the 3rd state; later last.pth truncated",
            f"full disk: exit {first.returncode}: {last_line(first.stderr)}; states kept {states}, temporaries "
            f"{temporaries(runs)}; --resume: exit {resumed.returncode}, {last_line(resumed.stdout)}",
            f"truncated last.pth, --resume: exit {damaged.returncode}, {last_line(damaged.stdout)}; "
            f"{warning[0].split('UserWarning: ')[-1] if warning else 'no warning'}"]


def damaged_checkpoint(work: Path) -> list[str]:
    from fusion.apis import load_fuser
    path = work / "train_run" / "final.pth"
    cut = work / "cut.pth"
    cut.write_bytes(path.read_bytes()[:500])
    try:
        load_fuser("msfam_handcrafted", checkpoint=cut)
        outcome = "loaded (unexpected)"
    except ValueError as error:
        outcome = str(error)
    return ["load_fuser on a checkpoint cut short", "", outcome]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.keep or temporary)
        root = work / "kaist"
        make_synthetic_kaist(root, pairs_per_set=3, width=96, height=80)
        clean = run(FUSE, *fuse_args(root, work / "clean", "slow_average"))
        assert clean.returncode == 0, clean.stderr
        reference = images(work / "clean" / "slow_average")
        average = run(FUSE, *fuse_args(root, work / "clean", "average"))
        assert average.returncode == 0, average.stderr
        rows = [killed_shard(root, work, reference), folder_in_use(root, work),
                full_disk_fuse(root, work, images(work / "clean" / "average")), training(work),
                damaged_checkpoint(work)]
    for number, (fault, happened, survived) in enumerate(rows, 1):
        print(f"{number}. {fault}\n   happened: {happened or '-'}\n   survived: {survived}")


if __name__ == "__main__":
    main()
