"""tools/kaist_to_coco.py on a synthetic KAIST: from the xml folder and from a tarball, same json."""
import importlib.util
import json
import tarfile
from pathlib import Path

import pytest

from fusion.datasets.synthetic_kaist import make_synthetic_kaist

TOOL = Path(__file__).resolve().parents[2] / "tools" / "kaist_to_coco.py"


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("kaist_to_coco", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_folder_and_tarball_give_the_same_json(tool, tmp_path, capsys):
    root = tmp_path / "kaist"
    make_synthetic_kaist(root, pairs_per_set=2, width=96, height=80)
    tar = tmp_path / "annotations.tar.gz"
    with tarfile.open(tar, "w:gz") as archive:
        archive.add(root / "annotations-xml-new", arcname="annotations-xml-new")
    tool.main(["--root", str(root), "--split", "synthetic-test", "--out", str(tmp_path / "folder.json"),
               "--size", "96x80"])
    printed = capsys.readouterr().out
    assert "| images | 4 |" in " ".join(printed.split())
    assert "wrote" in printed and "synthetic-test: 4 images" in printed
    tool.main(["--root", str(root), "--split", "synthetic-test", "--annotations", str(tar),
               "--out", str(tmp_path / "tar.json"), "--size", "96x80"])
    from_folder, from_tar = (json.loads((tmp_path / name).read_text()) for name in ("folder.json", "tar.json"))
    assert from_folder["info"]["annotations"] == "annotations-xml-new"
    assert from_tar["info"]["annotations"] == "annotations.tar.gz"
    assert {k: v for k, v in from_folder.items() if k != "info"} == {k: v for k, v in from_tar.items() if k != "info"}
    assert (from_folder["images"][0]["width"], from_folder["images"][0]["height"]) == (96, 80)
    assert all(a["bbox"][0] + a["bbox"][2] <= 96 and a["bbox"][1] + a["bbox"][3] <= 80
               for a in from_folder["annotations"])


def test_unknown_split_exits_with_the_available_lists(tool, tmp_path):
    root = tmp_path / "kaist"
    make_synthetic_kaist(root, pairs_per_set=1, width=64, height=64)
    with pytest.raises(SystemExit, match="available: synthetic-all, synthetic-test, synthetic-train"):
        tool.main(["--root", str(root), "--split", "test-all-20", "--out", str(tmp_path / "x.json")])
