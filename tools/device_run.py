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
together may hold 64 MiB, and this repository's tracked files alone take about half of that. The tarball
holds every pair named in ``configs/fusion/splits/*.txt`` (stage 1 leaves the test pairs out by content,
stage 2 and the classifier train and validate on the others), then pairs of the other sets the fusion
configs read whole (the classifier's ``sets``: MSRS, LLVIP, ...), taken in turn from each set while they fit,
then KAIST images while they fit; ``kaist/images/`` is always there (stage 1 reads it, empty is fine), and
``device_data.json`` at its top lists what was packed and what was left out. Files are packed unchanged.

Only the standard library is imported at the top: the subcommands that need numpy, OpenCV, torch or
mmengine import them when they run.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import time
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SPLITS = REPO / "configs" / "fusion" / "splits"
FUSION_CONFIGS = ("stage1_msfam", "classifier", "stage2_msfam", "stage1_nestfuse")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}
TRAVEL_LIMIT = 64 * 2**20  # the device tool's limit on the working tree plus the carried paths
TIMEOUT_CODES = {124, 137}  # coreutils timeout: the command ran past its limit (137: killed after it)


# ------------------------------------------------------------------------------------------ data
def split_names() -> dict[str, list[str]]:
    """Pair names ``<set>/<stem>`` of ``configs/fusion/splits/{train,val,test}.txt``."""
    names = {}
    for split in ("train", "val", "test"):
        lines = (SPLITS / f"{split}.txt").read_text(encoding="utf-8-sig").splitlines()
        names[split] = [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
    return names


def whole_sets() -> list[str]:
    """Paired sets that the fusion phases' configs read whole (``sets=[...]`` anywhere in them), in order."""
    from mmengine.config import Config

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sets" and isinstance(value, (list, tuple)):
                    found.extend(s for s in value if s not in found)
                else:
                    walk(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)

    for name in FUSION_CONFIGS:
        walk(Config.fromfile(str(REPO / "configs" / "fusion" / f"{name}.py")).to_dict())
    return found


def tiny_fusion_data(root: Path, size: int = 64, pairs_per_set: int = 2) -> dict[str, Any]:
    """A stand-in of the fusion data for a dry run: every pair the fusion configs name, as tiny images.

    Writes ``root/fusion/<set>/{ir,vi}/<stem>.png`` (``size`` x ``size``, random structure, a distinct picture
    each so that stage 1's exclusion by content keeps the others), ``pairs_per_set`` pairs of each set the
    configs read whole, and one KAIST-layout pair under ``root/kaist/images``.
    """
    import cv2
    import numpy as np

    names = sorted({n for split in split_names().values() for n in split})
    names += [f"{s}/{i:05d}" for s in whole_sets() for i in range(pairs_per_set)]
    rng = np.random.default_rng(0)
    smooth = cv2.resize(rng.uniform(0, 255, (8, 8)).astype(np.float32), (size, size))

    def picture() -> np.ndarray:
        return np.clip(smooth * rng.uniform(0.3, 1.0) + rng.normal(0, 25, (size, size)), 0, 255).astype(np.uint8)

    for name in names:
        set_name, stem = name.split("/")
        for band in ("ir", "vi"):
            folder = root / "fusion" / set_name / band
            folder.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(folder / f"{stem}.png"), picture())
    for band in ("visible", "lwir"):
        folder = root / "kaist" / "images" / "set00" / "V000" / band
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / "I00000.jpg"), picture())
    manifest = {"source": "tiny-fusion-data (dry run)", "size": size, "pairs": len(names)}
    (root / "device_data.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def synthetic_kaist(root: Path, pairs_per_set: int, size: tuple[int, int], repeat: int) -> dict[str, Any]:
    """The project's synthetic KAIST, its frames repeated through symbolic links: list ``bench`` of ``root/kaist``.

    ``root/source`` holds ``4 x pairs_per_set`` distinct frames (:func:`make_synthetic_kaist`); ``root/kaist``
    repeats each ``repeat`` times (``bench/bench_fuse_dataset.py``'s :func:`repeated_kaist`), so that a long
    run does not need as many distinct images. Kept when ``root/stamp.json`` says it was made the same way.
    """
    stamp = {"pairs_per_set": pairs_per_set, "size": list(size), "repeat": repeat}
    stamp_path = root / "stamp.json"
    if stamp_path.is_file() and json.loads(stamp_path.read_text()) == stamp:
        return {**stamp, "frames": 4 * pairs_per_set * repeat, "reused": True}
    import shutil

    from fusion.datasets.synthetic_kaist import make_synthetic_kaist

    if root.exists():
        shutil.rmtree(root)
    make_synthetic_kaist(root / "source", pairs_per_set=pairs_per_set, width=size[0], height=size[1])
    bench = _load_script(REPO / "bench" / "bench_fuse_dataset.py")
    frames = bench.repeated_kaist(root / "source", "synthetic-all", repeat, root / "kaist")
    stamp_path.write_text(json.dumps(stamp))
    return {**stamp, "frames": frames, "reused": False}


def _load_script(path: Path) -> Any:
    """A script that is not in a package (``bench/``, ``tools/``) as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def travelling_bytes(repo: Path = REPO) -> int:
    """Bytes of the working tree that travels: tracked files plus untracked files that git does not ignore."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=repo,
                            capture_output=True, check=True).stdout.split(b"\0")
    return sum((repo / os.fsdecode(name)).stat().st_size for name in listed
               if name and (repo / os.fsdecode(name)).is_file())


def folder_bytes(paths: Iterable[Path]) -> int:
    """Bytes of the files below each path (a file counts itself)."""
    total = 0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        total += sum(p.stat().st_size for p in files)
    return total


def _pair_files(data: Path, set_name: str, stem: str) -> list[Path]:
    files = []
    for band in ("vi", "ir"):
        matches = [p for p in (data / "fusion" / set_name / band).glob(f"{stem}.*") if p.suffix.lower() in IMAGE_SUFFIXES]
        if not matches:
            raise FileNotFoundError(f"pair {set_name}/{stem}: no image in {data / 'fusion' / set_name / band}")
        files.append(matches[0])
    return files


def _packed_bytes(path: Path) -> int:
    """Estimated bytes of a file in a gzipped tar: its deflated size plus the tar header and padding."""
    return len(zlib.compress(path.read_bytes(), 6)) + 512 + 511


def _natural(text: str) -> list[Any]:
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def pack_data(data: Path, out: Path, carry: Sequence[Path], budget: int | None = None) -> dict[str, Any]:
    """Write the fusion data the fusion phase reads as a gzipped tarball that fits the device call (module doc).

    Args:
        data: the data folder (``fusion/`` and ``kaist/images/`` below it).
        out: the tarball to write.
        carry: the other paths the same call carries (their bytes count against the limit).
        budget: bytes the tarball may take; default: 64 MiB minus the travelling working tree, minus
            ``carry``, minus 1 MiB of margin.

    Returns:
        The manifest written into the tarball as ``device_data.json``.
    """
    if not (data / "fusion").is_dir():
        raise FileNotFoundError(f"no fusion data in {data} (expected {data / 'fusion'}/<set>/{{ir,vi}})")
    if budget is None:
        budget = TRAVEL_LIMIT - travelling_bytes() - folder_bytes(carry) - 2**20
    if budget <= 0:
        raise SystemExit(f"nothing fits: the working tree and {', '.join(map(str, carry))} already take the "
                         f"{TRAVEL_LIMIT / 2**20:.0f} MiB a device call carries")
    named = sorted({n for split in split_names().values() for n in split}, key=_natural)
    files = [f for name in named for f in _pair_files(data, *name.split("/"))]
    used = sum(_packed_bytes(f) for f in files) + 4096
    if used > budget:
        raise SystemExit(f"the pairs named in {SPLITS} alone take about {used / 2**20:.1f} MiB, more than the "
                         f"{budget / 2**20:.1f} MiB left for data; carry less beside them")
    manifest: dict[str, Any] = {"source": str(data), "budget_bytes": budget, "named_pairs": len(named),
                                "sets": {}, "kaist_images": {"packed": 0, "left_out": 0}}
    queues = {}
    for set_name in whole_sets():
        folder = data / "fusion" / set_name
        stems = sorted({p.stem for p in (folder / "vi").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
                       & {p.stem for p in (folder / "ir").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES},
                       key=_natural)
        queues[set_name] = stems
        manifest["sets"][set_name] = {"pairs": len(stems), "packed": 0}
    while any(queues.values()):  # one pair of each set in turn, while they fit
        for set_name, stems in queues.items():
            if not stems:
                continue
            pair = _pair_files(data, set_name, stems.pop(0))
            size = sum(_packed_bytes(f) for f in pair)
            if used + size > budget:
                stems.clear()
                continue
            files += pair
            used += size
            manifest["sets"][set_name]["packed"] += 1
    kaist = data / "kaist" / "images"
    kaist_files = sorted((p for p in kaist.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES), key=str) \
        if kaist.is_dir() else []
    for path in kaist_files:
        size = _packed_bytes(path)
        if used + size <= budget:
            files.append(path)
            used += size
            manifest["kaist_images"]["packed"] += 1
        else:
            manifest["kaist_images"]["left_out"] += 1
    manifest["files"] = len(files)
    manifest["complete"] = (all(s["packed"] == s["pairs"] for s in manifest["sets"].values())
                            and manifest["kaist_images"]["left_out"] == 0)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=path.relative_to(data).as_posix(), recursive=False)
        folder = tarfile.TarInfo("kaist/images")
        folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
        tar.addfile(folder)
        text = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo("device_data.json")
        info.size, info.mtime = len(text), int(time.time())
        tar.addfile(info, io.BytesIO(text))
    manifest["tarball_bytes"] = out.stat().st_size
    if manifest["tarball_bytes"] > budget:
        raise SystemExit(f"{out} came to {manifest['tarball_bytes'] / 2**20:.1f} MiB, over its budget of "
                         f"{budget / 2**20:.1f} MiB: give a smaller --budget-mb")
    return manifest


# ------------------------------------------------------------------------------------------ records
def append_step(steps: Path, name: str, rc: int | None, wall: float, command: Sequence[str],
                note: str | None = None, skipped: str | None = None) -> dict[str, Any]:
    """Append one step record to the JSON-lines file ``steps``.

    ``rc`` None: the step did not run, for ``skipped`` reason ``time`` (the phase's or the call's budget was
    spent) or ``n/a`` (it does not apply here, e.g. mixed precision on the CPU).
    """
    record: dict[str, Any] = {"step": name, "rc": rc, "wall_s": round(wall, 2), "command": " ".join(command)}
    if rc is None:
        record["skipped"] = skipped or "time"
    if rc in TIMEOUT_CODES:
        record["timed_out"] = True
    if note:
        record["note"] = note
    steps.parent.mkdir(parents=True, exist_ok=True)
    with open(steps, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    return record


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSON-lines file (none when it is missing; a torn last line is skipped)."""
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def read_json(path: Path) -> Any:
    """A JSON file, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def write_json_atomic(path: Path, value: Any) -> None:
    """Write JSON to ``path`` through a temporary file, so that a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(value, indent=2, default=str))
    os.replace(temporary, path)


def phase_status(steps: list[dict[str, Any]], rc: int = 0) -> str:
    """The phase's status from its steps and the exit status ``rc`` of the phase's own script.

    failed: a step (or the phase's script) failed; timeout: a step ran past its limit; partial: steps were
    left out for lack of time; skipped: nothing ran; ok: every step that applies ran and passed.
    """
    ran = [s for s in steps if s["rc"] is not None]
    if rc != 0 or any(s["rc"] not in TIMEOUT_CODES and s["rc"] != 0 for s in ran):
        return "failed"
    if any(s["rc"] in TIMEOUT_CODES for s in ran):
        return "timeout"
    if not ran:
        return "skipped"
    if any(s.get("skipped") == "time" for s in steps):
        return "partial"
    return "ok"


# ------------------------------------------------------------------------------------------ results
def fusion_results(work: Path) -> dict[str, Any]:
    """Per training run under ``work`` (``<run>/log.jsonl`` of ``tools/train_fusion.py``): progress and speed."""
    results = {}
    for log in sorted(work.glob("*/log.jsonl")):
        records = read_jsonl(log)
        starts = [r for r in records if r["event"] == "start"]
        train = [r for r in records if r["event"] == "train"]
        ends = [r for r in records if r["event"] == "end"]
        end = ends[-1] if ends else None
        iterations = end["iter"] if end else (train[-1]["iter"] if train else 0)
        elapsed = end["elapsed_s"] if end else None
        run = {
            "max_iters": starts[-1]["max_iters"] if starts else None,
            "train_samples": starts[-1].get("train_samples") if starts else None,
            "batches_per_epoch": starts[-1].get("batches_per_epoch") if starts else None,
            "time_budget_min": starts[-1].get("time_budget_min") if starts else None,
            "device": starts[-1].get("device") if starts else None,
            "iterations": iterations,
            "complete": bool(end and end.get("complete")),
            "stopped": end.get("stopped") if end else "no end record (killed?)",
            "elapsed_s": elapsed,
            "iters_per_s": iterations / elapsed if elapsed else None,
            "median_step_s": statistics.median(r["step_s"] for r in train) if train else None,
            "best": end.get("best") if end else None,
            "prepare": next((r for r in records if r["event"] == "prepare"), None),
            "val": [{k: v for k, v in r.items() if k not in ("event", "time")} for r in records if r["event"] == "val"],
            "train_curve": [[r["iter"], round(r["loss"], 5), round(r["step_s"], 4)] for r in train][-200:],
        }
        results[log.parent.name] = run
    return results


def bench_results(work: Path) -> dict[str, Any]:
    """``bench/bench_models.py --json`` files under ``work`` (one per dtype)."""
    return {path.stem: read_json(path) for path in sorted(work.glob("bench_models_*.json"))}


def fuse_results(work: Path) -> dict[str, Any]:
    """``tools/fuse_dataset.py`` runs (each method's ``meta.json``) and ``bench_fuse_dataset.py --json``."""
    runs = {}
    for meta_path in sorted(work.glob("kaist_fused/*/meta.json")):
        meta = read_json(meta_path) or {}
        runs[meta_path.parent.name] = meta.get("runs", meta)
    return {"synthetic_kaist": read_json(work.parent / "synthetic_kaist" / "stamp.json"),
            "fuse_dataset": runs, "bench_fuse_dataset": read_json(work / "bench_fuse_dataset.json")}


def det_results(work: Path, skip: int = 1) -> dict[str, Any]:
    """Per training run under ``work``: iterations, images/s (batch over the median logged iteration time,
    after the first ``skip`` log records) and peak GPU memory, from mmengine's ``vis_data/scalars.json``."""
    results = {}
    for run in sorted(p for p in work.iterdir() if p.is_dir() and p.name != "kaist_fused") if work.is_dir() else []:
        scalars = sorted(run.glob("*/vis_data/scalars.json"), key=lambda p: p.stat().st_mtime)
        records = [r for r in read_jsonl(scalars[-1]) if "time" in r and "iter" in r] if scalars else []
        settings = read_json(run / "settings.json") or {}
        timed = records[skip:] or records
        median_time = statistics.median(r["time"] for r in timed) if timed else None
        batch = settings.get("batch_size")
        memory = [r["memory"] for r in records if "memory" in r]
        results[run.name] = {
            **settings,
            "iterations": records[-1]["iter"] if records else 0,
            "median_iter_s": median_time,
            "median_data_s": statistics.median(r["data_time"] for r in timed if "data_time" in r) if timed else None,
            "images_per_s": batch / median_time if batch and median_time else None,
            "max_memory_mib": max(memory) if memory else None,
            "loss": [[r["iter"], round(r["loss"], 5)] for r in records if "loss" in r][-50:],
        }
    return results


COLLECTORS = {"fusion": fusion_results, "bench": bench_results, "fuse": fuse_results, "det": det_results}


def record_phase(summary_path: Path, work: Path, name: str, wall: float, budget: float | None,
                 rc: int = 0, note: str | None = None) -> dict[str, Any]:
    """Collect a phase's steps and results from ``work`` into ``summary.json`` (rewritten atomically)."""
    steps = read_jsonl(work / "steps.jsonl")
    entry: dict[str, Any] = {"status": phase_status(steps, rc), "wall_s": round(wall, 2), "budget_s": budget,
                             "steps": steps}
    if rc != 0:
        entry["rc"] = rc
    if note:
        entry["note"] = note
    collector = COLLECTORS.get(name)
    if collector is not None:
        try:
            entry["results"] = collector(work)
        except Exception as error:  # a result file torn by a kill must not lose the phase's record
            entry["results_error"] = f"{type(error).__name__}: {error}"
    summary = read_json(summary_path) or {}
    summary.setdefault("phases", {})[name] = entry
    summary["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    write_json_atomic(summary_path, summary)
    return entry


def environment(summary_path: Path, device: str, phases: str, dry_run: bool, data_manifest: Path | None) -> None:
    """Start ``summary.json``: the machine, the software that imports, the phases asked for, the data."""
    import platform

    env: dict[str, Any] = {"python": sys.version.split()[0], "platform": platform.platform(),
                           "cpus": os.cpu_count()}
    env["module_paths"] = {}
    for module in ("torch", "mmengine", "mmcv", "mmdet", "pytorch_msssim", "cv2", "numpy"):
        try:
            imported = __import__(module)
            env[module] = getattr(imported, "__version__", "?")
            env["module_paths"][module] = str(Path(imported.__file__).parent)
        except Exception as error:
            env[module] = f"not importable: {type(error).__name__}: {error}"[:300]
    try:
        import torch

        env["cuda_available"] = torch.cuda.is_available()
        if torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            env["gpu"] = {"name": props.name, "memory_gib": round(props.total_memory / 2**30, 1),
                          "capability": f"{props.major}.{props.minor}", "cuda": torch.version.cuda}
    except Exception as error:
        env["cuda_error"] = str(error)
    try:
        from mmcv.ops import nms  # noqa: F401  (the compiled ops mmdet needs)

        env["mmcv_ops"] = True
    except Exception as error:
        env["mmcv_ops"] = f"not importable: {type(error).__name__}: {error}"[:300]
    summary = read_json(summary_path) or {}
    summary.update({"script": "tools/device_run.sh", "dry_run": dry_run, "device": device,
                    "phases_requested": phases.split(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "environment": env,
                    "data": read_json(data_manifest) if data_manifest else None})
    summary.setdefault("phases", {})
    write_json_atomic(summary_path, summary)
    print(json.dumps(env, indent=2))


# ------------------------------------------------------------------------------------------ command line
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("tiny-fusion-data", help="tiny stand-in of the fusion data (dry run)")
    p.add_argument("root", type=Path)
    p.add_argument("--size", type=int, default=64)
    p = sub.add_parser("synthetic-kaist", help="synthetic KAIST with repeated frames (list 'bench')")
    p.add_argument("root", type=Path)
    p.add_argument("--pairs-per-set", type=int, default=64)
    p.add_argument("--size", default="640x512", help="WxH (default 640x512)")
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
    args = parser.parse_args(argv)

    if args.command == "tiny-fusion-data":
        print(json.dumps(tiny_fusion_data(args.root, args.size)))
    elif args.command == "synthetic-kaist":
        width, _, height = args.size.lower().partition("x")
        print(json.dumps(synthetic_kaist(args.root, args.pairs_per_set, (int(width), int(height)), args.repeat)))
    elif args.command == "pack-data":
        budget = None if args.budget_mb is None else int(args.budget_mb * 2**20)
        manifest = pack_data(args.data, args.out, args.carry, budget)
        print(json.dumps(manifest, indent=2))
    elif args.command == "step":
        command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        append_step(args.steps, args.name, args.rc, args.wall, command, args.note, args.skipped)
    elif args.command == "environment":
        environment(args.summary, args.device, args.phases, args.dry_run, args.data_manifest)
    elif args.command == "phase":
        entry = record_phase(args.summary, args.work, args.name, args.wall, args.budget, args.rc, args.note)
        print(f"{args.name}: {entry['status']} in {entry['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
