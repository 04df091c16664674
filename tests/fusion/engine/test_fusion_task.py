"""Stage 2: frozen encoder and classifier (bitwise), trained fusion blocks and decoder at half the rate, exports."""
from __future__ import annotations

import pytest
import torch

from fusion.apis import load_fuser, read_fusion_checkpoint
from fusion.engine import Trainer
from fusion.engine.logger import read_log

pytestmark = pytest.mark.filterwarnings("ignore:MS-SSIM on")


def _snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same(module, snapshot):
    return all(torch.equal(v, snapshot[k]) for k, v in module.state_dict().items())


def test_stage2_trains_fusions_and_decoder_only(stage2_cfg, checkpoints, tmp_path):
    trainer = Trainer(stage2_cfg, tmp_path / "run", progress=False)
    model = trainer.task.model
    stage1 = read_fusion_checkpoint(checkpoints["stage1"])["state_dict"]
    assert all(torch.equal(v, stage1[f"encoder.{k}"]) for k, v in model.encoder.state_dict().items())
    assert all(torch.equal(v, stage1[f"decoder.{k}"]) for k, v in model.decoder.state_dict().items())
    classifier = trainer.task.loss.constraint.classifier
    saved_classifier = read_fusion_checkpoint(checkpoints["classifier"])["state_dict"]
    before = {part: _snapshot(getattr(model, part)) for part in ("encoder", "fusions", "decoder")}

    groups = {g["name"]: g for g in trainer.optimizer.param_groups}
    assert sorted(groups) == ["decoder", "fusions"]
    assert groups["decoder"]["lr"] == pytest.approx(0.5 * groups["fusions"]["lr"])
    assert not any(p.requires_grad for p in model.encoder.parameters())
    assert not any(p.requires_grad for p in classifier.parameters())

    trainer.run()
    assert _same(model.encoder, before["encoder"])
    assert all(torch.equal(v, saved_classifier[k]) for k, v in classifier.state_dict().items())
    assert not _same(model.fusions, before["fusions"])
    assert not _same(model.decoder, before["decoder"])
    record = read_log(tmp_path / "run", "train")[-1]
    assert {"l1", "constraint", "push_pull", "loss"} <= record.keys()
    assert record["lr"] == {"fusions": pytest.approx(1e-3), "decoder": pytest.approx(5e-4)}


def test_validation_selects_and_exports_the_best(stage2_cfg, tmp_path):
    stage2_cfg.train_cfg.val_interval = 2
    work = tmp_path / "run"
    Trainer(stage2_cfg, work, progress=False).run()
    vals = read_log(work, "val")
    assert [v["iter"] for v in vals] == [2, 4]
    for v in vals:
        assert {"EN", "MS_SSIM", "MI", "SCD", "CC", "VIF", "score", "average/EN"} <= v.keys()
        assert v["score"] > 0
    best = max(vals, key=lambda v: v["score"])
    meta = read_fusion_checkpoint(work / "best.pth")["meta"]
    assert meta["best"]["iteration"] == best["iter"] and meta["metrics"]["score"] == pytest.approx(best["score"])
    assert meta["sources"]["stage1"]["path"].endswith("stage1.pth")
    fuser = load_fuser("msfam", checkpoint=work / "best.pth")
    assert fuser.fuse_tensors(torch.rand(1, 1, 33, 47), torch.rand(1, 1, 33, 47)).shape == (1, 1, 33, 47)
    assert load_fuser("msfam", checkpoint=work / "final.pth") is not None


def test_from_scratch_ablation_trains_everything_without_checkpoints(stage2_cfg, tmp_path):
    stage2_cfg.task.update(stage1_checkpoint=None, classifier_checkpoint=None, lr_mult=dict(encoder=1.0, decoder=1.0),
                           loss=dict(type="FusionTotalLoss", alpha2=0.0, beta=2.0,
                                     push_pull_cfg=dict(levels=2, win_size=3, weighting="equal")))
    trainer = Trainer(stage2_cfg, tmp_path / "run", progress=False)
    assert sorted(g["name"] for g in trainer.optimizer.param_groups) == ["decoder", "encoder", "fusions"]
    before = _snapshot(trainer.task.model.encoder)
    trainer.run()
    assert not _same(trainer.task.model.encoder, before)


def test_constraint_without_classifier_is_a_clear_error(stage2_cfg, tmp_path):
    stage2_cfg.task.classifier_checkpoint = None
    with pytest.raises(ValueError, match="classifier_checkpoint"):
        Trainer(stage2_cfg, tmp_path / "run", progress=False)


def test_stage1_of_another_architecture_is_rejected(stage2_cfg, tmp_path):
    stage2_cfg.task.model = dict(type="msfam", widths=(4, 6, 8, 12), stem_channels=4)
    with pytest.raises(ValueError, match="encoder"):
        Trainer(stage2_cfg, tmp_path / "run", progress=False)


def test_a_classifier_below_the_gate_is_refused_unless_accepted(stage2_cfg, tmp_path):
    from fusion.apis import save_fusion_checkpoint
    from fusion.registry import NETWORKS

    weak = tmp_path / "weak.pth"
    cfg = dict(type="SemanticConstraintClassifier", widths=(4, 4, 8, 8))
    save_fusion_checkpoint(weak, NETWORKS.build(cfg), cfg, {"metrics": {"balanced_accuracy": 0.333}})
    stage2_cfg.task.classifier_checkpoint = str(weak)
    refusal = r"balanced accuracy 0\.333, below the gate of 0\.90.*min_classifier_accuracy=0"
    with pytest.raises(ValueError, match=refusal):
        Trainer(stage2_cfg, tmp_path / "refused", progress=False)
    stage2_cfg.task.min_classifier_accuracy = 0.0
    trainer = Trainer(stage2_cfg, tmp_path / "accepted", progress=False)
    assert trainer.task.sources["classifier"]["path"] == str(weak)


def test_ties_keep_the_later_network(stage2_cfg, tmp_path, monkeypatch):
    stage2_cfg.train_cfg.val_interval = 2
    trainer = Trainer(stage2_cfg, tmp_path / "run", progress=False)
    monkeypatch.setattr(trainer.task, "validate", lambda loader: {"score": 1.0})
    trainer.run()
    assert trainer.best == {"key": "score", "value": 1.0, "iteration": 4}


@pytest.mark.parametrize("floor_method", ["average", "msfam_handcrafted"])
def test_floored_score_selects_among_networks_that_reach_the_floor(stage2_cfg, checkpoints, tmp_path, floor_method):
    """floored_score = score where ITC reaches the floor method's ITC on the same pairs, score - 1 elsewhere;
    the floor is computed once, by the method's own weights (here the stage-1 network, i.e. iteration 0)."""
    checkpoint = str(checkpoints["stage1"]) if floor_method == "msfam_handcrafted" else None
    stage2_cfg.task.floor = dict(metric="ITC", method=floor_method, checkpoint=checkpoint)
    stage2_cfg.task.best_key = "floored_score"
    stage2_cfg.task.model.residual = True  # iteration 0 fuses as the stage-1 network with hand-designed fusion
    stage2_cfg.train_cfg.val_interval = 2
    stage2_cfg.train_cfg.validate_at_start = True
    work = tmp_path / "run"
    Trainer(stage2_cfg, work, progress=False).run()
    vals = read_log(work, "val")
    assert [v["iter"] for v in vals] == [0, 2, 4]
    floor = {v[f"{floor_method}/ITC"] for v in vals}
    assert len(floor) == 1
    floor = floor.pop()
    if floor_method == "msfam_handcrafted":  # the residual network at iteration 0 is that network
        assert vals[0]["ITC"] == pytest.approx(floor)
    for v in vals:
        assert v["floored_score"] == pytest.approx(v["score"] - (0.0 if v["ITC"] >= floor else 1.0))
    best = max(reversed(vals), key=lambda v: v["floored_score"])  # a tie keeps the later network
    assert read_fusion_checkpoint(work / "best.pth")["meta"]["best"]["iteration"] == best["iter"]


def test_a_floor_needs_a_reference(stage2_cfg, tmp_path):
    stage2_cfg.task.floor = dict(metric="ITC", method="average")
    stage2_cfg.task.reference = None
    with pytest.raises(ValueError, match="floor qualifies the score: it needs a reference"):
        Trainer(stage2_cfg, tmp_path / "run", progress=False)


def test_a_missing_floor_checkpoint_fails_before_training(stage2_cfg, tmp_path):
    stage2_cfg.task.floor = dict(metric="ITC", method="nestfuse", checkpoint=str(tmp_path / "none.pth"))
    with pytest.raises(FileNotFoundError, match="none.pth not found"):
        Trainer(stage2_cfg, tmp_path / "run", progress=False)
