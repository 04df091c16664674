"""Argument types shared by the command-line tools."""
from __future__ import annotations

import argparse


def name_value(text: str) -> tuple[str, str]:
    """argparse type for ``NAME=VALUE`` (e.g. ``--fused msfam=outputs/msfam``, ``--checkpoint msfam=w.pth``)."""
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value
