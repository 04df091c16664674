"""tools/fuse_dataset.py: the command line, interruption and resume (KAIST, LLVIP, MSRS), shards, real data;
faults: a killed shard, a folder in use, a full disk."""
import errno
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.jobs.fuse_dataset import ADAPTERS, KaistAdapter, RunOptions, fuse_dataset
from fusion.models.classical import AverageFusion
from fusion.registry import FUSION_MODELS

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "fuse_dataset.py"
SPLIT = "synthetic-all"
# The tool, with a deliberately slow fusion method registered first, so that a test can stop it mid-way.
SLOW_TOOL = f"""
import os, runpy, sys, time
from fusion.models.classical import AverageFusion
from fusion.registry import FUSION_MODELS

@FUSION_MODELS.register_module(name="slow_average", force=True)
class SlowAverage(AverageFusion):
    calls = 0

    def forward(self, vis, ir):
        SlowAverage.calls += 1
        if SlowAverage.calls > 1:  # the first batch at once, each later one slow: a signal lands inside a batch
            time.sleep(float(os.environ["SLOW_SECONDS"]))
        return super().forward(vis, ir)

sys.argv = [{str(TOOL)!r}, *sys.argv[1:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


class SlowAverage(AverageFusion):
    """The slow method in this process, without the delay (for reference runs)."""


@pytest.fixture
def slow_average(monkeypatch):
    monkeypatch.setitem(FUSION_MODELS._module_dict, "slow_average", SlowAverage)  # removed after the test


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("fuse_dataset", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def kaist(tmp_path):
    root = tmp_path / "kaist"
    make_synthetic_kaist(root, pairs_per_set=3, width=96, height=80)
    return root


def images(folder: Path) -> dict[str, bytes]:
    """The finished images under ``folder``: not the hidden ``.<name>.<pid>.tmp.jpg`` of a write in progress,
    which a killed run leaves behind."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.jpg"))
            if not p.name.startswith(".")}


def cli(root, out, *extra, dataset="kaist"):
    split = SPLIT if dataset == "kaist" else "test"
    return [dataset, "--root", str(root), "--out", str(out), "--split", split, "--no-progress", *extra]


def stop_slow_run_mid_way(dataset, root, out, sig: int, log: Path) -> tuple[int, str]:
    """Start the slow tool (2 decoding workers), send ``sig`` once it has written its first batch of 2 images,
    while its second batch takes minutes; (exit code, stderr). The tool starts with Ctrl-C's default action, as
    in a terminal (a shell's background job would inherit it ignored)."""
    with open(log, "w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", SLOW_TOOL,
                                    *cli(root, out, "--methods", "slow_average", "--batch-size", "2", "--workers", "2",
                                         dataset=dataset)],
                                   cwd=REPO, env=dict(os.environ, SLOW_SECONDS="300"), stdout=subprocess.DEVNULL,
                                   stderr=stderr, start_new_session=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while len(images(out / "slow_average")) < 2:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the tool wrote no image in time"
            time.sleep(0.05)
        process.send_signal(sig)
        process.wait(timeout=60)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # its decoding workers, which a killed tool leaves behind
        except ProcessLookupError:
            pass
    return process.returncode, log.read_text()


def reference(dataset, root, out):
    adapter = ADAPTERS[dataset](root)
    fuse_dataset(adapter, out, ["slow_average"], split=SPLIT if dataset == "kaist" else "test",
                 options=RunOptions(workers=0, batch_size=2, progress=False), log=lambda _: None)
    return images(out / "slow_average")


@pytest.mark.slow
@pytest.mark.parametrize("dataset, sig", [("kaist", signal.SIGINT), ("kaist", signal.SIGKILL),
                                          ("llvip", signal.SIGKILL), ("msrs", signal.SIGKILL)])
def test_interrupted_run_resumes_to_the_same_bytes(dataset, sig, request, tmp_path, slow_average):
    root = request.getfixturevalue({"kaist": "kaist", "llvip": "tiny_llvip", "msrs": "tiny_msrs"}[dataset])
    split, frames = (SPLIT, 12) if dataset == "kaist" else ("test", 6)
    out = tmp_path / "out"
    returncode, stderr = stop_slow_run_mid_way(dataset, root, out, sig, tmp_path / "stderr.txt")
    written = images(out / "slow_average")
    assert len(written) == 2  # stopped inside the second batch: nothing of it written
    meta = json.loads((out / "slow_average" / "meta.json").read_text())
    if sig == signal.SIGINT:
        assert returncode == 130 and "run the same command again" in stderr
        assert meta["runs"][-1]["status"] == "interrupted" and meta["splits"][split]["status"] == "incomplete"
    else:
        assert returncode == -signal.SIGKILL and meta["splits"][split]["status"] == "in progress"
    missing = next(name for name in reference(dataset, root, tmp_path / "reference") if name not in written)
    stale = out / "slow_average" / Path(missing).parent / f".{Path(missing).name}.4242.tmp.jpg"
    stale.write_bytes(b"left by a killed run")

    resumed = subprocess.run([sys.executable, "-c", SLOW_TOOL, *cli(root, out, "--methods", "slow_average",
                                                                    "--batch-size", "2", "--workers", "0",
                                                                    dataset=dataset)],
                             cwd=REPO, env=dict(os.environ, SLOW_SECONDS="0"), capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{frames - len(written)} fused, {len(written)} already there" in resumed.stdout
    finished = images(out / "slow_average")
    assert {k: finished[k] for k in written} == written
    assert finished == images(tmp_path / "reference" / "slow_average")
    assert not stale.exists() and not list((out / "slow_average").rglob(".*.tmp*"))
    meta = json.loads((out / "slow_average" / "meta.json").read_text())
    assert meta["splits"][split]["status"] == "complete"


def test_concurrent_shards_fill_one_folder(kaist, tmp_path):
    args = ["--methods", "average,visible", "--batch-size", "2", "--workers", "0"]
    processes = [subprocess.Popen([sys.executable, str(TOOL), *cli(kaist, tmp_path / "sharded", *args,
                                                                   "--shard", f"{i}/2")],
                                  cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for i in range(2)]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    fuse_dataset(KaistAdapter(kaist), tmp_path / "single", ["average", "visible"], split=SPLIT,
               options=RunOptions(workers=0, batch_size=2, progress=False), log=lambda _: None)
    for method in ("average", "visible"):
        assert images(tmp_path / "sharded" / method) == images(tmp_path / "single" / method)
        meta = json.loads((tmp_path / "sharded" / method / "meta.json").read_text())
        assert sorted(r["shard"] for r in meta["runs"]) == ["0/2", "1/2"]
        assert meta["splits"][SPLIT]["status"] == "complete"
    for name in (f"{SPLIT}.json", f"{SPLIT}.bad_frames.json"):
        assert (tmp_path / "sharded" / "annotations" / name).read_bytes() == \
            (tmp_path / "single" / "annotations" / name).read_bytes()


def test_shard_from_torchrun_environment(tool, kaist, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    tool.main(cli(kaist, tmp_path / "out", "--methods", "average", "--batch-size", "2", "--workers", "0"))
    (record,) = json.loads((tmp_path / "out" / "average" / "meta.json").read_text())["runs"]
    assert record["shard"] == "1/2" and record["fused"] == 6
    assert "average [1/2]: finished: 6 fused" in capsys.readouterr().out


def test_strict_exits_naming_the_file(tool, kaist, tmp_path):
    (kaist / "images" / "set06" / "V000" / "lwir" / "I00020.jpg").unlink()
    with pytest.raises(SystemExit) as info:
        tool.main(cli(kaist, tmp_path / "out", "--methods", "average", "--strict"))
    assert "--strict" in str(info.value.code) and "images/set06/V000/lwir/I00020.jpg" in str(info.value.code)
    tool.main(cli(kaist, tmp_path / "out", "--methods", "average", "--workers", "0"))  # not strict: goes on
    report = json.loads((tmp_path / "out" / "annotations" / f"{SPLIT}.bad_frames.json").read_text())
    assert report["counts"] == {"missing_lwir": 1}


def test_other_settings_are_refused(tool, kaist, tmp_path):
    tool.main(cli(kaist, tmp_path / "out", "--methods", "average", "--workers", "0", "--limit", "2"))
    with pytest.raises(SystemExit) as info:
        tool.main(cli(kaist, tmp_path / "out", "--methods", "average", "--workers", "0", "--grey"))
    assert "refused" in str(info.value.code) and "colour: folder True, this run False" in str(info.value.code)
    with pytest.raises(SystemExit) as info:
        tool.main(cli(kaist, tmp_path / "out", "--methods", "nosuch"))
    assert "unknown method 'nosuch'" in str(info.value.code)


def test_a_method_written_into_a_folder_of_its_own(tool, kaist, tmp_path):
    """``FOLDER=METHOD`` (a fine-tuned network beside the shipped one): the same images as the method's own folder
    when given the same weights, its checkpoint keyed by the folder, its record naming the method."""
    out = tmp_path / "out"
    shipped = Path(__file__).resolve().parents[2] / "fusion" / "weights" / "msfam.pth"
    tool.main(cli(kaist, out, "--methods", "msfam,msfam_tuned=msfam,visible,copy=visible", "--checkpoint",
                  f"msfam_tuned={shipped}", "--workers", "0", "--limit", "2", "--backend", "torch"))
    assert images(out / "msfam_tuned") == images(out / "msfam") and len(images(out / "msfam")) == 2
    assert images(out / "copy") == images(out / "visible")
    meta = json.loads((out / "msfam_tuned" / "meta.json").read_text())
    assert meta["method"] == "msfam" and meta["checkpoint"]["path"] == str(shipped)
    for methods, message in (("nestfuse=msfam", "name of another method"), ("=msfam", "FOLDER=METHOD"),
                             ("a=average,a=msfam", "once")):
        with pytest.raises(SystemExit) as info:
            tool.main(cli(kaist, tmp_path / "bad", "--methods", methods, "--workers", "0"))
        assert message in str(info.value.code)


@pytest.mark.parametrize("bad", [["--shard", "2/2"], ["--jpeg-quality", "101"], ["--workers", "-1"],
                                 ["--limit", "0"], ["--checkpoint", "msfam"]])
def test_bad_arguments(tool, bad):
    with pytest.raises(SystemExit) as info:
        tool.parse_args(["kaist", "--root", "r", "--methods", "average", *bad])
    assert info.value.code == 2


def test_real_kaist_test_mini_9(tool, shared_data, tmp_path):
    root = shared_data / "kaist"
    if not (root / "imageSets" / "test-mini-9.txt").is_file():
        pytest.skip(f"no KAIST test-mini-9 list in {root}")
    out = tmp_path / "out"
    tool.main(["kaist", "--root", str(root), "--out", str(out), "--split", "test-mini-9",
               "--methods", "average,visible", "--workers", "0", "--no-progress"])
    frames = (root / "imageSets" / "test-mini-9.txt").read_text().split()
    for method in ("average", "visible"):
        assert sorted(images(out / method)) == sorted(f"{f}.jpg" for f in frames)
        assert json.loads((out / method / "meta.json").read_text())["splits"]["test-mini-9"]["status"] == "complete"
    coco = json.loads((out / "annotations" / "test-mini-9.json").read_text())
    assert len(coco["images"]) == 9 and {im["file_name"] for im in coco["images"]} == {f"{f}.jpg" for f in frames}
    assert all((im["width"], im["height"]) == (640, 512) for im in coco["images"]) and coco["annotations"]


@pytest.mark.parametrize("dataset, root, extra, pairs, boxes", [
    ("llvip", "llvip", ["--annotations", "{data}/fusion/llvip/lwir_test_annotations.json"], 15, 44),
    ("llvip", "llvip_train", ["--split", "train"], 32, 45),
    ("msrs", "msrs", [], 25, 111),
    ("msrs", "msrs", ["--labels", "visible"], 25, 38),
])
def test_real_llvip_and_msrs(tool, shared_data, tmp_path, dataset, root, extra, pairs, boxes):
    """Person boxes of the real pairs in ../shared/data/fusion (counts read off their label files)."""
    out = tmp_path / "out"
    extra = [arg.format(data=shared_data) for arg in extra]
    split = extra[extra.index("--split") + 1] if "--split" in extra else "test"
    tool.main([dataset, "--root", str(shared_data / "fusion" / root), "--out", str(out), "--methods", "visible",
               "--workers", "0", "--no-progress", *extra])
    assert len(images(out / "visible")) == pairs
    coco = json.loads((out / "annotations" / f"{split}.json").read_text())
    assert len(coco["annotations"]) == boxes and {a["category_id"] for a in coco["annotations"]} == {1}
    report = json.loads((out / "annotations" / f"{split}.bad_frames.json").read_text())
    assert report["usable_frames"] == pairs
    assert report["counts"].get("missing_annotation", 0) == pairs - len(coco["images"])


# ------------------------------------------------------------------------------------------------ faults
@pytest.mark.slow
def test_a_killed_shard_reruns_to_the_one_process_folder(kaist, tmp_path, slow_average):
    (kaist / "images" / "set06" / "V000" / "lwir" / "I00020.jpg").unlink()  # a bad frame, for the report
    out = tmp_path / "sharded"
    args = ["--methods", "slow_average", "--batch-size", "2", "--workers", "0"]

    def start(shard: str, seconds: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", SLOW_TOOL, *cli(kaist, out, *args, "--shard", shard)],
                                cwd=REPO, env=dict(os.environ, SLOW_SECONDS=seconds), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)

    fast, slow = start("0/2", "0"), start("1/2", "3")
    _, stderr = fast.communicate(timeout=300)
    assert fast.returncode == 0, stderr
    first = len(images(out / "slow_average"))
    deadline = time.monotonic() + 120
    while len(images(out / "slow_average")) == first:  # shard 1 has written one of its images: kill it
        assert slow.poll() is None, "shard 1 finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=60)
    rerun = subprocess.run([sys.executable, "-c", SLOW_TOOL, *cli(kaist, out, *args, "--shard", "1/2")], cwd=REPO,
                           env=dict(os.environ, SLOW_SECONDS="0"), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr

    reference("kaist", kaist, tmp_path / "single")
    single = tmp_path / "single"
    assert images(out / "slow_average") == images(single / "slow_average")
    for name in (f"{SPLIT}.json", f"{SPLIT}.bad_frames.json"):
        assert (out / "annotations" / name).read_bytes() == (single / "annotations" / name).read_bytes()
    meta = json.loads((out / "slow_average" / "meta.json").read_text())
    runs = meta["runs"]  # shard 0 finished, shard 1 killed (no record), shard 1 rerun finished
    assert [(r["shard"], r["status"]) for r in runs] == [("0/2", "finished"), ("1/2", "finished")]
    usable = json.loads((single / "slow_average" / "meta.json").read_text())["splits"][SPLIT]["usable_frames"]
    assert runs[0]["fused"] + runs[1]["fused"] + runs[1]["skipped_existing"] == usable
    assert runs[1]["skipped_existing"] >= 1  # what the killed shard had finished was kept
    assert meta["splits"][SPLIT]["status"] == "complete" and meta["splits"][SPLIT]["fused_frames"] == usable


def test_a_second_run_on_a_folder_in_use_is_refused_and_a_stale_lock_taken_over(tool, kaist, tmp_path, capsys):
    out = tmp_path / "out"
    hold = ("import sys, time\nfrom fusion.utils.run_lock import run_lock\n"
            "with run_lock(sys.argv[1], 'fuse'):\n    print('held', flush=True)\n    time.sleep(120)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(out)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(SystemExit) as info:
            tool.main(cli(kaist, out, "--methods", "average", "--workers", "0"))
        assert "refused" in str(info.value.code) and f"in use by process {holder.pid} on host" in str(info.value.code)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    tool.main(cli(kaist, out, "--methods", "average", "--workers", "0"))
    printed = capsys.readouterr().out
    assert f"process {holder.pid}" in printed and "was stale: taken over" in printed
    assert len(images(out / "average")) == 12


def test_a_full_disk_stops_with_a_clear_error_and_the_rerun_finishes(tool, kaist, tmp_path, monkeypatch):
    from fusion.jobs.fuse_dataset import pipeline
    from fusion.utils.files import atomic_write

    fused_dataset(kaist, tmp_path / "reference")
    expected = images(tmp_path / "reference" / "average")
    written = []

    def fill_the_disk_after_three(target, data):
        if len(written) == 3:
            def half_then_full(tmp):
                tmp.write_bytes(data[: len(data) // 2])
                raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
            atomic_write(target, half_then_full)
        atomic_write(target, lambda tmp: tmp.write_bytes(data))
        written.append(target)

    monkeypatch.setattr(pipeline, "atomic_write_bytes", fill_the_disk_after_three)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        tool.main(cli(kaist, out, "--methods", "average", "--workers", "0", "--batch-size", "2"))
    assert "no space left on the disk" in str(info.value.code) and "run the same command again" in str(info.value.code)
    assert images(out / "average") == {k: expected[k] for k in images(out / "average")}  # nothing half-written
    assert len(images(out / "average")) == 3 and not list(out.rglob(".*.tmp*"))
    monkeypatch.undo()
    tool.main(cli(kaist, out, "--methods", "average", "--workers", "0", "--batch-size", "2"))
    assert images(out / "average") == expected


def fused_dataset(root: Path, out: Path) -> None:
    """The clean one-process run of ``average`` (batch size 2), for comparisons."""
    fuse_dataset(KaistAdapter(root), out, ["average"], split=SPLIT,
                 options=RunOptions(workers=0, batch_size=2, progress=False), log=lambda _: None)
