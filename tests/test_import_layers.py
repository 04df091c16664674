"""The import contract: ``detection`` stands on ``fusion``'s lowest layer only, ``fusion`` never imports
``detection``, and ``fusion``'s layers import downwards only.

Layers of ``fusion``, lowest first (a module may import its own layer and the ones below, never above):

0. ``fusion`` (the package root: ``__version__``), ``fusion.registry``, ``fusion.utils``
1. ``fusion.ops``
2. ``fusion.models``, ``fusion.losses``, ``fusion.metrics``
3. ``fusion.datasets``
4. ``fusion.engine``, ``fusion.apis``
5. ``fusion.jobs``, ``fusion.reports``, ``fusion.integrations`` (fusion inside other frameworks: MMDetection)

``detection`` (the MMDetection add-on and ``detection.runs``) may import the ``fusion`` package root and
``fusion.utils`` (:data:`DETECTION_MAY_IMPORT`: the dataset knowledge both halves share, such as KAIST's sets
in ``fusion.utils.kaist_sets``, and the file helpers), never another ``fusion`` package (not even
``fusion.registry``, whose registries are fusion's own); what it imports of them is light (standard library
only, no torch). ``fusion`` never imports ``detection``.

``tools/`` and ``bench/`` sit above everything and may import both halves. The registries name the packages
they fill (``locations=["fusion.models"]``) as strings, imported lazily by mmengine when a config is built:
not a static import, so not an edge here.

Besides the layers, :data:`FORBIDDEN` keeps some packages of one layer apart (e.g. the fused-dataset job runs
trained models and never needs the training engine). Exceptions: none.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HALVES = ("fusion", "detection")
LAYERS = (
    ("fusion", "fusion.registry", "fusion.utils"),
    ("fusion.ops",),
    ("fusion.models", "fusion.losses", "fusion.metrics"),
    ("fusion.datasets",),
    ("fusion.engine", "fusion.apis"),
    ("fusion.jobs", "fusion.reports", "fusion.integrations"),
)
DETECTION_MAY_IMPORT = ("fusion", "fusion.utils")  # layer prefixes of fusion that detection may import
EXCEPTIONS: frozenset[tuple[str, str]] = frozenset()  # (importer, imported) pairs allowed against the layers
FORBIDDEN = (  # (importer prefix, imported prefix): never, whatever the layers say
    ("fusion.jobs.fuse_dataset", "fusion.engine"),  # fusing a dataset needs trained models, not training
    ("fusion.apis", "fusion.engine"),  # inference does not depend on training
)


def module_name(path: Path, root: Path = REPO) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = REPO) -> set[str]:
    """Modules of ``fusion`` / ``detection`` a file imports (relative imports resolved), anywhere in the file."""
    name = module_name(path, root)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # "from . import models"
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {t for t in found if t.split(".")[0] in HALVES}


def import_graph() -> set[tuple[str, str]]:
    """Every ``(importer, imported)`` edge between modules of the two packages."""
    return {(module_name(path), target) for half in HALVES for path in (REPO / half).rglob("*.py")
            for target in imports_of(path)}


def layer_prefix(module: str) -> tuple[int, str] | None:
    """The layer of a ``fusion`` module and its longest matching layer prefix, None outside ``fusion``."""
    best = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[1])):
                best = (index, prefix)
    return best


def layer_of(module: str) -> int | None:
    """The layer of a ``fusion`` module (its longest matching layer prefix), None outside ``fusion``."""
    found = layer_prefix(module)
    return None if found is None else found[0]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(edges: set[tuple[str, str]]) -> list[str]:
    """The edges that break the contract (see the module docstring), as readable lines."""
    found = []
    for importer, imported in sorted(edges - EXCEPTIONS):
        half, other = importer.split(".")[0], imported.split(".")[0]
        if half == "fusion" and other == "detection":
            found.append(f"{importer} imports {imported}: fusion never imports detection")
            continue
        if half == "detection" and other == "fusion":
            owner = layer_prefix(imported)
            if owner is None or owner[1] not in DETECTION_MAY_IMPORT:
                found.append(f"{importer} imports {imported}: detection imports only "
                             f"{' and '.join(DETECTION_MAY_IMPORT)} of fusion")
            continue
        low, high = layer_of(imported), layer_of(importer)
        if half == "fusion" and low is not None and high is not None and low > high:
            found.append(f"{importer} (layer {high}) imports {imported} (layer {low}): layers import downwards")
        elif any(_within(importer, a) and _within(imported, b) for a, b in FORBIDDEN):
            found.append(f"{importer} imports {imported}: forbidden (see FORBIDDEN)")
    return found


def test_the_code_keeps_the_contract():
    assert violations(import_graph()) == []


def test_every_fusion_module_has_a_layer():
    modules = {module_name(path) for path in (REPO / "fusion").rglob("*.py")}
    assert [m for m in sorted(modules) if layer_of(m) is None] == []


def test_what_detection_imports_of_fusion_is_light():
    """The fusion modules detection imports load no third-party package (torch, numpy, OpenCV, mmengine)."""
    modules = sorted({imported for importer, imported in import_graph()
                      if importer.startswith("detection") and imported.split(".")[0] == "fusion"
                      and ((REPO / imported.replace(".", "/")).with_suffix(".py").is_file()
                           or (REPO / imported.replace(".", "/") / "__init__.py").is_file())})
    assert "fusion.utils.kaist_sets" in modules
    code = (f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "print(sorted(m for m in ('torch', 'numpy', 'cv2', 'mmengine') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("edge", [
    ("detection.runs.comparison", "fusion.models.msfam"),    # detection imports fusion's layer 0 only
    ("detection.evaluation.ground_truth", "fusion.datasets.kaist"),
    ("detection.models", "fusion.registry"),
    ("fusion.models.msfam", "detection.models"),              # fusion never imports detection
    ("fusion.utils.kaist_sets", "detection.evaluation"),
    ("fusion.metrics.folder_scores", "fusion.datasets.folders"),  # metrics below datasets
    ("fusion.datasets.io", "fusion.engine.meta"),
    ("fusion.utils.files", "fusion.ops.filters"),
    ("fusion.engine.trainer", "fusion.jobs.fuse_dataset"),    # the engine below the jobs and reports
    ("fusion.apis.inference", "fusion.reports.quality"),
    ("fusion.jobs.fuse_dataset.record", "fusion.engine.meta"),  # forbidden within the layers
    ("fusion.apis.checkpoint", "fusion.engine.state"),
])
def test_back_edges_are_caught(edge):
    assert len(violations(import_graph() | {edge})) == 1


@pytest.mark.parametrize("edge", [
    ("detection.evaluation.ground_truth", "fusion.utils.kaist_sets"),  # fusion's layer 0: the shared knowledge
    ("detection.runs.records", "fusion.utils.files"),
    ("detection.runs.demo", "fusion"),                                  # the package root (__version__)
    ("detection.runs.demo", "fusion.__version__"),
])
def test_detection_may_import_fusions_lowest_layer(edge):
    assert violations(import_graph() | {edge}) == []


def test_relative_imports_are_resolved(tmp_path):
    package = tmp_path / "fusion" / "metrics"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from . import table\n")
    (package / "table.py").write_text("from ..datasets.folders import x\nimport detection.models\n")
    assert imports_of(package / "table.py", tmp_path) == {"fusion.datasets.folders", "fusion.datasets.folders.x",
                                                 "detection.models"}
    assert imports_of(package / "__init__.py", tmp_path) == {"fusion.metrics", "fusion.metrics.table"}
