"""ONNX export of the fusion networks and the onnxruntime backend: parity with PyTorch on real pairs of
several sizes, dynamic shapes, the backend behind load_fuser and the tools. Skipped without onnxruntime."""
from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
import torch

from fusion.apis import build_fusion_model, load_fuser
from fusion.apis.onnx_backend import PARITY_TOLERANCE, OnnxFuser, TwoPassInstanceNorm, export_onnx, raw_difference
from fusion.registry import FUSION_MODELS
from fusion.utils.images import read_uint8_image

onnxruntime = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed (pip install -e '.[onnx]')")

NETWORKS = ("msfam", "nestfuse")


def real_pairs(shared_data, names=(("tno21", "11"), ("tno21", "2"), ("msrs", None))):
    """Luminance tensors of real pairs of three sizes (359x247, 632x496 and MSRS 640x480)."""
    pairs = []
    for folder, stem in names:
        root = shared_data / "fusion" / folder
        if not root.is_dir():
            pytest.skip(f"{root} not found")
        ir_file = root / "ir" / f"{stem}.png" if stem else sorted((root / "ir").iterdir())[0]
        vis_file = next((root / "vi").glob(f"{ir_file.stem}.*"))
        vis, ir = read_uint8_image(vis_file), read_uint8_image(ir_file)
        vis = cv2.cvtColor(vis, cv2.COLOR_BGR2GRAY) if vis.ndim == 3 else vis
        ir = cv2.cvtColor(ir, cv2.COLOR_BGR2GRAY) if ir.ndim == 3 else ir
        pairs.append(tuple(torch.from_numpy(x.astype(np.float32) / 255)[None, None] for x in (vis, ir)))
    return pairs


@pytest.mark.slow
@pytest.mark.parametrize("method", NETWORKS)
def test_export_matches_pytorch_on_real_pairs_of_three_sizes(method, shared_data, tmp_path):
    model = build_fusion_model(method)
    path = tmp_path / f"{method}.onnx"
    export_onnx(model, path)
    pairs = real_pairs(shared_data)
    assert len({tuple(vis.shape) for vis, _ in pairs}) == 3
    assert raw_difference(model, path, pairs) <= PARITY_TOLERANCE


@pytest.mark.parametrize("method", ("msfam_handcrafted", "msfam_conv5"))
def test_every_network_exports_with_dynamic_batch_and_size(method, tmp_path):
    model = _untrained(method)
    path = tmp_path / f"{method}.onnx"
    export_onnx(model, path)
    generator = torch.Generator().manual_seed(0)
    pairs = [tuple(torch.rand(batch, 1, h, w, generator=generator) for _ in range(2))
             for batch, h, w in ((1, 64, 80), (2, 37, 51), (1, 96, 33))]
    assert raw_difference(model, path, pairs) <= PARITY_TOLERANCE


def _untrained(method):
    torch.manual_seed(0)
    return FUSION_MODELS.build(dict(type=method)).eval()


def test_training_free_methods_are_not_exported():
    with pytest.raises(ValueError, match="no parameters"):
        export_onnx(build_fusion_model("average"), io.BytesIO())


def test_load_fuser_backend_gives_the_torch_images(tmp_path):
    rng = np.random.default_rng(0)
    pairs = [(rng.integers(0, 256, (61, 83, 3), dtype=np.uint8), rng.integers(0, 256, (61, 83), dtype=np.uint8)),
             (rng.integers(0, 256, (48, 64), dtype=np.uint8), rng.integers(0, 256, (48, 64), dtype=np.uint8))]
    for method in NETWORKS:
        torch_images = load_fuser(method).fuse_batch(pairs)
        onnx_fuser = load_fuser(method, backend="onnxruntime")
        assert isinstance(onnx_fuser, OnnxFuser)
        for expected, got in zip(torch_images, onnx_fuser.fuse_batch(pairs)):
            assert got.shape == expected.shape and got.dtype == np.uint8
            assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1  # rounding of a 1e-6 difference
    assert type(load_fuser("average", backend="onnxruntime")).__name__ == "Fuser"  # nothing to export
    with pytest.raises(ValueError, match="backend must be one of"):
        load_fuser("msfam", backend="tensorrt")


def test_a_written_graph_can_be_loaded_instead_of_exported(tmp_path):
    model = build_fusion_model("nestfuse")
    path = tmp_path / "nestfuse.onnx"
    export_onnx(model, path)
    vis, ir = torch.rand(1, 1, 40, 56), torch.rand(1, 1, 40, 56)
    from_file = OnnxFuser(model, onnx_file=path).fuse_tensors(vis, ir)
    in_memory = OnnxFuser(model).fuse_tensors(vis, ir)
    assert torch.equal(from_file, in_memory) and from_file.shape == (1, 1, 40, 56)


def test_the_exported_instance_norm_equals_pytorchs():
    norm = torch.nn.InstanceNorm2d(6, affine=True)
    torch.nn.init.normal_(norm.weight)
    torch.nn.init.normal_(norm.bias)
    x = torch.randn(2, 6, 33, 47) * 3 + 40  # a large mean: what loses precision in one long sum
    with torch.no_grad():
        assert torch.allclose(TwoPassInstanceNorm(norm)(x), norm(x), atol=1e-4)
        plain = torch.nn.InstanceNorm2d(6)
        assert torch.allclose(TwoPassInstanceNorm(plain)(x), plain(x), atol=1e-4)


def test_fuse_dataset_and_fuse_folder_run_on_onnxruntime(tmp_path):
    """The tools' --backend: a KAIST-layout folder (JPEG) and a paired folder (PNG), against PyTorch's."""
    from fusion.datasets.synthetic_kaist import make_synthetic_kaist
    from tools import fuse_dataset, fuse_folder

    def cli(out, *extra):
        return ["kaist", "--root", str(root), "--out", str(out), "--split", "synthetic-all", "--no-progress",
                "--methods", "nestfuse", "--workers", "0", *extra]

    root = tmp_path / "kaist"
    make_synthetic_kaist(root, pairs_per_set=1, width=96, height=80)
    for backend in ("torch", "onnxruntime"):
        fuse_dataset.main(cli(tmp_path / backend, "--backend", backend))
    (record,) = json.loads((tmp_path / "onnxruntime" / "nestfuse" / "meta.json").read_text())["runs"]
    assert record["backend"] == "onnxruntime" and record["fused"] == 4
    torch_jpegs = sorted((tmp_path / "torch" / "nestfuse").rglob("*.jpg"))
    assert len(torch_jpegs) == 4
    for path in torch_jpegs:
        twin = tmp_path / "onnxruntime" / "nestfuse" / path.relative_to(tmp_path / "torch" / "nestfuse")
        expected, got = (cv2.imread(str(p), cv2.IMREAD_UNCHANGED).astype(int) for p in (path, twin))
        difference = np.abs(expected - got)  # JPEGs of colour images whose luminance is at most 1 level apart
        assert difference.max() <= 4 and difference.mean() < 0.05

    folder = tmp_path / "pairs"
    for band, source in (("ir", "lwir"), ("vi", "visible")):
        (folder / band).mkdir(parents=True)
        for i, path in enumerate(sorted((root / "images").rglob(f"{source}/*.jpg"))):
            cv2.imwrite(str(folder / band / f"{i}.png"), cv2.imread(str(path), cv2.IMREAD_UNCHANGED))
    for backend in ("torch", "onnxruntime"):
        fuse_folder.main(["--ir", str(folder / "ir"), "--vis", str(folder / "vi"), "--methods", "msfam",
                          "--out", str(tmp_path / f"folder_{backend}"), "--backend", backend])
    for path in sorted((tmp_path / "folder_torch" / "msfam").glob("*.png")):
        expected, got = (cv2.imread(str(p), cv2.IMREAD_UNCHANGED).astype(int)
                         for p in (path, tmp_path / "folder_onnxruntime" / "msfam" / path.name))
        assert np.abs(expected - got).max() <= 1
    with pytest.raises(SystemExit, match="runs in float32"):
        fuse_dataset.main(cli(tmp_path / "bf16", "--backend", "onnxruntime", "--dtype", "bfloat16"))


def test_export_tool_writes_checks_and_refuses_above_the_tolerance(tmp_path, capsys):
    from tools import export_onnx as tool

    out = tmp_path / "nestfuse.onnx"
    tool.main(["nestfuse", "--out", str(out)])
    assert out.is_file() and "within the tolerance 1e-05" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        tool.main(["nestfuse", "--out", str(tmp_path / "strict.onnx"), "--tolerance", "0"])
    assert exit_info.value.code == 1 and not (tmp_path / "strict.onnx").exists()
    with pytest.raises(SystemExit, match="no parameters"):
        tool.main(["average", "--out", str(tmp_path / "average.onnx")])
