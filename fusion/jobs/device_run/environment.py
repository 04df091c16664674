"""The machine and the software that imports on it, probed without needing any of it to be there."""
from __future__ import annotations

import importlib
import os
import platform
import sys
from pathlib import Path
from typing import Any

PROBED_MODULES = ("torch", "mmengine", "mmcv", "mmdet", "pytorch_msssim", "cv2", "numpy")


def _failure(error: Exception) -> str:
    return f"not importable: {type(error).__name__}: {error}"[:300]


def probe_environment() -> dict[str, Any]:
    """Python, platform and CPUs; each of :data:`PROBED_MODULES`'s version and folder (or why it does not
    import); whether CUDA is there and its first GPU; whether mmcv's compiled ops import."""
    env: dict[str, Any] = {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(),
                           "module_paths": {}}
    for name in PROBED_MODULES:
        try:
            module = importlib.import_module(name)
            env[name] = getattr(module, "__version__", "?")
            env["module_paths"][name] = str(Path(module.__file__).parent)
        except Exception as error:
            env[name] = _failure(error)
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
        env["mmcv_ops"] = _failure(error)
    return env
