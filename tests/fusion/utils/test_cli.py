"""Argument types shared by the tools."""
import argparse

import pytest

from fusion.utils.cli import image_size, name_value, positive_int


def test_image_size():
    assert image_size("640X512") == (640, 512)
    for bad in ("640-512", "0x512", "x512", "640x"):
        with pytest.raises(argparse.ArgumentTypeError, match="WxH"):
            image_size(bad)


def test_name_value():
    assert name_value("msfam=a=b.pth") == ("msfam", "a=b.pth")
    with pytest.raises(argparse.ArgumentTypeError, match="NAME=VALUE"):
        name_value("msfam")


def test_positive_int():
    assert positive_int("3") == 3
    for bad in ("0", "-1", "x", "1.5"):
        with pytest.raises(argparse.ArgumentTypeError, match="positive integer"):
            positive_int(bad)
