"""Packaging for the MSFAM fusion toolkit: the ``fusion`` and ``detection`` packages.

Install through ``make install`` (see README): torch and mmcv need a set order and build flags that
plain ``pip install .`` cannot express (mmcv 2.1.0 compiles its ops against the torch already installed).
"""
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent


def read_version() -> str:
    """The version string from ``fusion/__init__.py`` (one source of truth, no import)."""
    for line in (ROOT / "fusion" / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=")[1].strip().strip("\"'")
    raise RuntimeError("fusion/__init__.py has no __version__")


setup(
    name="msfam-fusion",
    version=read_version(),
    description="Infrared-visible image fusion (MSFAM, NestFuse, classical) as a front end to "
    "pedestrian detection on KAIST with MMDetection 3.x",
    long_description=(ROOT / "README.md").read_text(),
    long_description_content_type="text/markdown",
    python_requires=">=3.9",
    packages=find_packages(include=["fusion", "fusion.*", "detection", "detection.*"]),
    include_package_data=True,
    package_data={"fusion": ["weights/*.pth", "weights/README.md"]},  # the shipped weights and their cards
    install_requires=[
        "torch>=2.0",
        "numpy",
        "opencv-python",
        "pycocotools",
        "scipy",
        "tabulate",
        "tqdm",
        "matplotlib",
        "pytorch-msssim>=1.0",
        "mmengine>=0.10,<1.0",
        "mmcv>=2.0.0rc4,<2.2.0",
        "mmdet>=3.3.0,<3.4.0",
        # mmengine and mmcv import pkg_resources at run time (removed from setuptools 81)
        "setuptools<81",
    ],
    extras_require={
        # ONNX export and the onnxruntime backend (fusion.apis.onnx_backend)
        "onnx": ["onnx>=1.14", "onnxruntime>=1.16"],
        "dev": ["pytest>=7", "scikit-image>=0.21", "ruff>=0.6", "onnx>=1.14", "onnxruntime>=1.16"],
    },
)
