"""The import contract: ``fusion`` and ``detection`` are independent, and ``fusion``'s layers import downwards only.

Layers of ``fusion``, lowest first (a module may import its own layer and the ones below, never above):

0. ``fusion`` (the package root: ``__version__``), ``fusion.registry``, ``fusion.utils``
1. ``fusion.ops``
2. ``fusion.models``, ``fusion.losses``, ``fusion.metrics``
3. ``fusion.datasets``
4. ``fusion.engine``, ``fusion.apis``
5. ``fusion.jobs``, ``fusion.reports``, ``fusion.integrations`` (fusion inside other frameworks: MMDetection)

``tools/`` and ``bench/`` sit above everything and may import both halves. The registries name the packages
they fill (``locations=["fusion.models"]``) as strings, imported lazily by mmengine when a config is built:
not a static import, so not an edge here.

Besides the layers, :data:`FORBIDDEN` keeps some packages of one layer apart (e.g. the fused-dataset job runs
trained models and never needs the training engine). Exceptions: none.
"""
from __future__ import annotations

import ast
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


def layer_of(module: str) -> int | None:
    """The layer of a ``fusion`` module (its longest matching layer prefix), None outside ``fusion``."""
    best = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    return None if best is None else best[0]


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(edges: set[tuple[str, str]]) -> list[str]:
    """The edges that break the contract (see the module docstring), as readable lines."""
    found = []
    for importer, imported in sorted(edges - EXCEPTIONS):
        half, other = importer.split(".")[0], imported.split(".")[0]
        if half != other:
            found.append(f"{importer} imports {imported}: the {half} and {other} packages are independent")
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


@pytest.mark.parametrize("edge", [
    ("detection.comparison", "fusion.utils.files"),          # the halves are independent
    ("fusion.models.msfam", "detection.models"),
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


def test_relative_imports_are_resolved(tmp_path):
    package = tmp_path / "fusion" / "metrics"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from . import table\n")
    (package / "table.py").write_text("from ..datasets.folders import x\nimport detection.models\n")
    assert imports_of(package / "table.py", tmp_path) == {"fusion.datasets.folders", "fusion.datasets.folders.x",
                                                 "detection.models"}
    assert imports_of(package / "__init__.py", tmp_path) == {"fusion.metrics", "fusion.metrics.table"}
