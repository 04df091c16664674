"""Argument types shared by the command-line tools."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def name_value(text: str) -> tuple[str, str]:
    """argparse type for ``NAME=VALUE`` (e.g. ``--fused msfam=outputs/msfam``, ``--checkpoint msfam=w.pth``)."""
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def image_size(text: str) -> tuple[int, int]:
    """argparse type for an image size ``WxH`` (e.g. ``640x512``) -> ``(width, height)``, both positive."""
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise argparse.ArgumentTypeError(f"expected a size as WxH, e.g. 640x512, got {text!r}")
    return int(width), int(height)


def positive_int(text: str) -> int:
    """argparse type for an integer >= 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def argument_type(parse: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a parser that raises ``ValueError`` with a readable message (shown as the usage error)."""
    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert
