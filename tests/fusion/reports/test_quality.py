"""The quality report on tiny data: fused-image cache, scores, target check, speed rows, Markdown, gallery."""
from __future__ import annotations

import cv2
import pytest

from fusion.engine.evaluation import PAPER_METRICS
from fusion.reports import evaluation_sets, run_quality_report, write_gallery
from fusion.reports.folder_scores import evaluate_folders
from fusion.reports.quality import method_sources
from fusion.reports.render import quality_markdown
from fusion.reports.sets import fused_file_name

METHODS = ("average", "nestfuse", "msfam")


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("report_work")


@pytest.fixture(scope="module")
def report(report_data, tiny_weights, work_dir):
    sets = evaluation_sets(report_data["fusion_root"], report_data["test_list"])
    return run_quality_report(sets, work_dir, METHODS, tiny_weights, metrics=(*PAPER_METRICS, "ITC"),
                              speed_size=(48, 32), speed_repeats=1)


def test_sets_hold_the_held_out_pairs_and_whole_sets(report_data):
    sets = {s.name: s for s in evaluation_sets(report_data["fusion_root"], report_data["test_list"])}
    assert [p.name for p in sets["heldout"].pairs] == ["roadscene/FLIR_1", "roadscene/FLIR_3"]
    assert [p.name for p in sets["tno21"].pairs] == ["tno21/1", "tno21/2"]
    assert [p.name for p in sets["msrs"].pairs] == ["msrs/00001D", "msrs/00002N"]


def test_scores_equal_eval_fusion_on_the_cached_images(report, work_dir, tmp_path):
    folders = report.folders
    assert folders == {name: work_dir / "fused" / source.folder_name for name, source in report.sources.items()}
    assert folders["msfam"].name.startswith("msfam-") and folders["average"].name == "average"
    heldout = report.sets[0]
    assert sorted(p.name for p in folders["msfam"].iterdir()) == [
        "msrs__00001D.png", "msrs__00002N.png", "roadscene__FLIR_1.png", "roadscene__FLIR_3.png", "tno21__1.png",
        "tno21__2.png"]
    # the same images scored by tools/eval_fusion.py's code give the same means
    pair = heldout.pairs[0]
    single = tmp_path / "single"
    for band, path in (("ir", pair.ir), ("vi", pair.vis)):
        (single / band).mkdir(parents=True)
        (single / band / fused_file_name(pair)).write_bytes(path.read_bytes())
    reference = evaluate_folders(single / "ir", single / "vi", {"msfam": folders["msfam"]}, (*PAPER_METRICS, "ITC"),
                                 skip_missing=True).means()["msfam"]
    assert report.tables["heldout"].per_image["msfam"][pair.name] == pytest.approx(reference)


def test_target_counts_the_metrics_where_msfam_leads_on_every_set(report):
    verdicts = report.targets()
    assert list(verdicts) == ["heldout", "tno21", "msrs"]
    for name, verdict in verdicts.items():
        means = report.tables[name].means()
        assert sorted(verdict.ahead + verdict.behind) == sorted(PAPER_METRICS)
        assert all(means["msfam"][m] > means["nestfuse"][m] for m in verdict.ahead)
        assert all(means["msfam"][m] <= means["nestfuse"][m] for m in verdict.behind)
        assert verdict.itc == (means["msfam"]["ITC"], means["nestfuse"]["ITC"])


def test_the_verdict_needs_four_metrics_and_the_targets_kept():
    from fusion.reports.quality import TargetVerdict

    better = {m: 2.0 for m in PAPER_METRICS}
    worse = {m: 1.0 for m in PAPER_METRICS}
    four = {**better, "SCD": 0.5, "CC": 0.5}
    assert TargetVerdict.compare({**four, "ITC": 0.8}, {**worse, "ITC": 0.8}).met
    assert not TargetVerdict.compare({**four, "ITC": 0.79}, {**worse, "ITC": 0.8}).met
    assert "BELOW NestFuse" in TargetVerdict.compare({**four, "ITC": 0.79}, {**worse, "ITC": 0.8}).describe()
    assert not TargetVerdict.compare({**four, "VIF": 0.5, "ITC": 0.9}, {**worse, "ITC": 0.8}).met


def test_a_rerun_reuses_the_cached_fused_images(report_data, tiny_weights, work_dir, report, monkeypatch):
    import fusion.reports.quality as quality

    def refuse(*args, **kwargs):
        raise AssertionError("a cached image was fused again")

    monkeypatch.setattr(quality.Fuser, "fuse", refuse)
    sets = evaluation_sets(report_data["fusion_root"], report_data["test_list"])
    again = run_quality_report(sets, work_dir, METHODS, tiny_weights, metrics=(*PAPER_METRICS, "ITC"),
                               speed_size=(48, 32), speed_repeats=1)
    assert again.tables["tno21"].means() == report.tables["tno21"].means()


def test_speed_rows_and_markdown(report):
    rows = {row.method: row for row in report.speed}
    assert rows["average"].params == 0 and rows["msfam"].params > rows["nestfuse"].params > 0
    assert rows["msfam"].macs > 0 and rows["msfam"].pairs_per_second > 0
    text = quality_markdown(report, "python tools/fusion_report.py quality", "gallery.png")
    for name, verdict in report.targets().items():
        assert f"- {name}: " + ("**met**" if verdict.met else "**MISSED**") in text
    assert "## heldout" in text and "## msrs" in text and "![gallery](gallery.png)" in text
    assert report.sources["msfam"].sha256 in text
    assert "- VIF:" in text  # conventions stated


def test_networks_without_weights_are_refused(monkeypatch):
    import fusion.reports.quality as quality

    monkeypatch.setattr(quality, "default_checkpoint", lambda method: None)
    with pytest.raises(FileNotFoundError, match="no weights for 'nestfuse'"):
        method_sources(["average", "nestfuse"], {})


def test_gallery_has_one_row_per_pair_and_one_column_per_method(report, work_dir, tmp_path):
    sets = {s.name: s for s in report.sets}
    folders = report.folders
    rows = [("day", sets["msrs"].pairs[0]), ("night", sets["msrs"].pairs[1])]
    image = cv2.imread(str(write_gallery(rows, folders, tmp_path / "gallery.png", row_height=40)))
    tile_width = round(176 * 40 / 168)
    assert image.shape[0] == 2 * (40 + 28 + 4)
    assert image.shape[1] == 5 * tile_width + 4 * 4
