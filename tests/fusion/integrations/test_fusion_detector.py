"""MSFAM in the detector's loop (FusionDetector): the detection loss reaches the fusion network (TarDAL's released
script fuses under no_grad, so it never does), a frozen detector neither learns nor moves its BatchNorm, the fused
images in training are load_fuser's before rounding, each coupling trains and tests, and the tuned network exports
as an ordinary fusion checkpoint."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import cv2
import pytest
import torch
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from detection.runs import config as det_config
from detection.datasets import stack_pair
from detection.runs.inference import detect, load_detector, takes_pairs
from fusion.apis import load_fuser
from fusion.datasets.synthetic_kaist import make_synthetic_kaist
from fusion.integrations.fusion_detector import FusionDetector, fuse_pair_tensors  # noqa: F401 (registers it)
from fusion.integrations.mmdet_fusion import FusionDetDataPreprocessor
from fusion.jobs.fuse_dataset import KaistAdapter, PixelOptions, RunOptions, fuse_dataset
from fusion.ops.colour import merge_luma_chroma, split_luma_chroma
from tools import export_onnx, export_tuned_fusion

WIDTH, HEIGHT = 96, 80
#: ResNet-18 and a slim head; live BatchNorm (norm_eval off, no frozen stage) so that a frozen detector's
#: statistics could move if it were left in training mode; a Push-Pull window small images allow.
TINY = {"model.detector.backbone.depth": 18, "model.detector.backbone.init_cfg": None,
        "model.detector.backbone.norm_eval": False, "model.detector.backbone.frozen_stages": -1,
        "model.detector.neck.in_channels": [64, 128, 256, 512], "model.detector.neck.out_channels": 32,
        "model.detector.bbox_head.in_channels": 32, "model.detector.bbox_head.feat_channels": 64,
        "model.detector.bbox_head.stacked_convs": 1, "model.detector.test_cfg.score_thr": 0.0,
        "model.fusion_loss.push_pull_cfg": dict(win_size=3)}


def tiny_model(coupling: str = "joint", **options) -> FusionDetector:
    init_default_scope("mmdet")
    cfg = Config.fromfile(str(det_config.resolve_config(f"gflv2_tuned_{coupling}.py")))
    cfg.merge_from_dict({**TINY, **{f"model.{key}": value for key, value in options.items()}})
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.train()


def batch(model: FusionDetector, count: int = 2, seed: int = 0) -> dict:
    """Random pairs with one person box each, through the model's data preprocessor."""
    generator = torch.Generator().manual_seed(seed)
    pairs = [torch.randint(0, 256, (4, HEIGHT, WIDTH), generator=generator, dtype=torch.uint8) for _ in range(count)]
    samples = []
    for _ in range(count):
        sample = DetDataSample(metainfo=dict(img_shape=(HEIGHT, WIDTH), ori_shape=(HEIGHT, WIDTH),
                                             scale_factor=(1.0, 1.0)))
        sample.gt_instances = InstanceData(bboxes=torch.tensor([[20.0, 10.0, 44.0, 70.0]]), labels=torch.tensor([0]))
        samples.append(sample)
    return model.data_preprocessor({"inputs": pairs, "data_samples": samples}, True)


def backward(model: FusionDetector, data: dict) -> dict:
    model.zero_grad(set_to_none=True)
    losses = model.loss(data["inputs"], data["data_samples"])
    total, _ = model.parse_losses(losses)
    total.backward()
    return losses


def gradient_norms(module: torch.nn.Module) -> dict[str, float | None]:
    return {name: None if p.grad is None else float(p.grad.abs().sum()) for name, p in module.named_parameters()}


def test_the_detection_loss_alone_reaches_the_fusion_network():
    """TarDAL's defect is fusing under no_grad: with the fusion loss weighted 0 the fusion blocks and decoder still
    get a gradient, from the detection loss alone; the encoder (frozen, as in stage 2) gets none."""
    model = tiny_model("joint", detach_iters=0, fusion_loss_weight=0.0)
    losses = backward(model, batch(model))
    assert not any(name.startswith("loss_fusion") for name in losses)
    for part in ("fusions", "decoder"):
        grads = gradient_norms(getattr(model.fusion, part))
        assert all(g is not None for g in grads.values()) and sum(grads.values()) > 0, part
    assert all(g is None for g in gradient_norms(model.fusion.encoder).values())


def test_the_detached_warm_up_keeps_the_detection_loss_from_the_fusion():
    model = tiny_model("joint", detach_iters=1, fusion_loss_weight=0.0)
    data = batch(model)
    backward(model, data)  # iteration 0: detached
    assert all(g in (None, 0.0) for g in gradient_norms(model.fusion).values())
    assert sum(g for g in gradient_norms(model.detector).values() if g) > 0
    backward(model, data)  # iteration 1: joined
    assert sum(g for g in gradient_norms(model.fusion.fusions).values() if g) > 0


def test_the_fusion_loss_is_weighted_and_its_parts_logged():
    model = tiny_model("joint", fusion_loss_weight=0.5)
    losses = model.loss(*batch(model).values())
    assert {"loss_fusion", "fusion_l1", "fusion_push_pull"} <= set(losses)
    expected = 0.5 * (losses["fusion_l1"] + 2.0 * losses["fusion_push_pull"])  # beta = 2, alpha2 = 0
    assert float(losses["loss_fusion"].detach()) == pytest.approx(float(expected), rel=1e-5)


@pytest.fixture
def detector_checkpoint(tmp_path) -> str:
    """A checkpoint of the tiny wrapped detector alone (as a gflv2_fused run writes one)."""
    model = tiny_model("joint")
    path = tmp_path / "detector.pth"
    torch.save({"state_dict": model.detector.state_dict()}, path)
    return str(path)


def test_a_frozen_detector_takes_no_gradient_and_keeps_its_batchnorm(detector_checkpoint):
    model = tiny_model("frozen", detector_checkpoint=detector_checkpoint)
    saved = torch.load(detector_checkpoint, weights_only=True)["state_dict"]
    assert all(torch.equal(value, saved[key]) for key, value in model.detector.state_dict().items())
    optim = build_optim_wrapper(model, dict(type="OptimWrapper", optimizer=dict(type="AdamW", lr=1e-3)))
    before = copy.deepcopy(model.state_dict())
    data = batch(model)
    for _ in range(2):
        model.train_step({"inputs": data["inputs"], "data_samples": data["data_samples"]}, optim)
    after = model.state_dict()
    detector_keys = [key for key in after if key.startswith("detector.")]
    assert any("running_mean" in key for key in detector_keys)  # BatchNorm there, in training mode elsewhere
    assert all(torch.equal(after[key], before[key]) for key in detector_keys)  # weights and BN statistics
    assert all(p.grad is None for p in model.detector.parameters())
    assert any(not torch.equal(after[key], before[key]) for key in after if key.startswith("fusion.fusions"))
    assert all(torch.equal(after[key], before[key]) for key in after if key.startswith("fusion.encoder"))
    assert not model.detector.training and int(after["iteration"]) == 2


def test_alternating_rounds_switch_what_learns():
    model = tiny_model("alternating", rounds=dict(detector_iters=2, fusion_iters=1))
    phases = [(step.fusion, step.detector) for step in (model.learning(i) for i in range(6))]
    assert phases == [(False, True), (False, True), (True, False)] * 2
    data = batch(model)
    backward(model, data)  # a detector iteration: the fusion gets nothing
    assert all(g is None for g in gradient_norms(model.fusion).values())
    backward(model, data)
    backward(model, data)  # the fusion iteration: the detector gets nothing, the fusion does
    assert all(g is None for g in gradient_norms(model.detector).values())
    assert sum(g for g in gradient_norms(model.fusion.fusions).values() if g) > 0


def test_fused_images_in_training_are_load_fusers_before_rounding():
    model = tiny_model("joint")
    pairs = torch.stack(batch(model, count=3)["inputs"])
    training = torch.stack(model.fuse(list(pairs)).images)
    fuser = load_fuser("msfam", backend="torch")
    luma, chroma = split_luma_chroma(pairs[:, :3].float() / 255)
    expected = (merge_luma_chroma(fuser.fuse_tensors(luma, pairs[:, 3:4].float() / 255), chroma) * 255).clamp(0, 255)
    assert training.requires_grad
    torch.testing.assert_close(training.detach(), expected, atol=2e-3, rtol=0)
    model.eval()
    batched = FusionDetDataPreprocessor(fusion="msfam", mean=[0, 0, 0], std=[1, 1, 1])
    inference = model._inference_batch(list(pairs), None)["inputs"][..., :HEIGHT, :WIDTH]  # normalised RGB, padded
    mean, std = model.detector.data_preprocessor.mean, model.detector.data_preprocessor.std
    rounded = (inference * std + mean).flip(1)  # back to BGR 0..255
    assert (rounded - batched.fuse(pairs)).abs().max() <= 1e-3 + 1  # both round once; float noise at .5


def test_bad_settings_and_inputs_are_refused(detector_checkpoint):
    with pytest.raises(ValueError, match="detector_checkpoint"):
        tiny_model("frozen", detector_checkpoint=None)
    with pytest.raises(ValueError, match="rounds"):
        tiny_model("alternating", rounds=None)
    with pytest.raises(ValueError, match="fusion_parts"):
        tiny_model("joint", fusion_parts=("head",))
    model = tiny_model("joint")
    with pytest.raises(ValueError, match="LoadImagePair"):
        model.fuse([torch.zeros(3, HEIGHT, WIDTH)])


@pytest.fixture(scope="module")
def bands(tmp_path_factory) -> Path:
    """A derived synthetic KAIST (disagreeing bands) with the visible and lwir folders: 4 train, 4 test frames."""
    source, out = tmp_path_factory.mktemp("synthetic"), tmp_path_factory.mktemp("bands")
    make_synthetic_kaist(source, pairs_per_set=2, width=WIDTH, height=HEIGHT, disagreeing_bands=True)
    for split in ("synthetic-train", "synthetic-test"):
        fuse_dataset(KaistAdapter(source), out, ["visible", "lwir"], split=split, pixels=PixelOptions(),
                     options=RunOptions(workers=0, progress=False), log=lambda _: None)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("coupling", ["frozen", "joint", "alternating"])
def test_each_coupling_trains_tests_and_exports(coupling, bands, detector_checkpoint, tmp_path):
    options = {**TINY, "model.detach_iters": 1, "model.rounds": dict(detector_iters=1, fusion_iters=1),
               "train_dataloader.batch_size": 2, "train_dataloader.num_workers": 0,
               "train_dataloader.persistent_workers": False, "test_dataloader.num_workers": 0,
               "test_dataloader.persistent_workers": False, "train_cfg.max_epochs": 1, "val_cfg": None,
               "val_dataloader": None, "val_evaluator": None, "randomness.seed": 0,
               "train_dataloader.dataset.ann_file": "annotations/synthetic-train.json",
               "test_dataloader.dataset.ann_file": "annotations/synthetic-test.json",
               "test_evaluator.ann_file": str(bands / "annotations" / "synthetic-test.json"),
               **{f"{loop}_dataloader.dataset.pipeline.Resize.scale": (WIDTH, HEIGHT) for loop in ("train", "test")}}
    if coupling == "frozen":
        options["model.detector_checkpoint"] = detector_checkpoint
    config = f"gflv2_tuned_{coupling}.py"
    common = dict(work_dir=str(tmp_path / "work"), cfg_options=options, data_root=str(bands))
    runner = det_config.build_runner(det_config.training_config(config, **common))
    runner.train()
    checkpoint = tmp_path / "work" / "epoch_1.pth"
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)["state_dict"]
    assert int(state["iteration"]) == 2 and any(key.startswith("fusion.fusions") for key in state)
    metrics = det_config.build_runner(det_config.testing_config(config, str(checkpoint), **common)).test()
    assert 0.0 <= metrics["kaist/AP"] <= 1.0
    detector = load_detector(config, str(checkpoint), "cpu", options)  # as tools/detect_pairs.py runs it
    pair = stack_pair(cv2.imread(str(next((bands / "visible").rglob("*.jpg")))),
                      cv2.imread(str(next((bands / "lwir").rglob("*.jpg"))), cv2.IMREAD_GRAYSCALE))
    assert takes_pairs(detector) and detect(detector, [pair])[0].shape[1] == 5
    out = tmp_path / "msfam_tuned.pth"
    export_tuned_fusion.main([config, str(checkpoint), "--out", str(out), "--cfg-options",
                              *(f"{key}={json.dumps(value) if isinstance(value, (dict, list)) else value}"
                                for key, value in options.items() if key.startswith("model."))])
    fuser = load_fuser("msfam", out, backend="torch")
    tuned = {key[len("fusion."):]: value for key, value in state.items() if key.startswith("fusion.")}
    assert all(torch.equal(value, tuned[key]) for key, value in fuser.model.state_dict().items())
    card = out.with_suffix(".md").read_text()
    assert coupling in card and "fine-tuned" in card
    meta = torch.load(out, weights_only=True)["meta"]
    assert meta["phase"] == "detection_tuned" and meta["settings"]["coupling"] == coupling
    if coupling == "joint":  # the ONNX export takes it as any MSFAM checkpoint (and checks it against PyTorch)
        export_onnx.main(["msfam", "--checkpoint", str(out), "--out", str(tmp_path / "tuned.onnx")])
        assert (tmp_path / "tuned.onnx").stat().st_size > 1e6
