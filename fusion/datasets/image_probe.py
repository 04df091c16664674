"""Read an image's size from its header and check that the file is complete, without decoding the pixels.

A truncated JPEG still decodes with OpenCV (libjpeg prints "Premature end of JPEG file" and fills the rest
grey), so ``cv2.imread`` alone cannot tell a cut-off download from a good image. A JPEG is read here marker
by marker up to its frame header (SOFn: size and channel count), and its last bytes must hold the
end-of-image marker (``FF D9``, trailing zero padding allowed): a few hundred bytes read per file. A PNG
(MSRS) is read the same way: size and colour type from its IHDR chunk, and its last 12 bytes must be the
IEND chunk. Other formats are decoded with OpenCV.

JPEG markers: ITU-T T.81 (https://www.w3.org/Graphics/JPEG/itu-t81.pdf), Annex B. PNG chunks: ISO/IEC 15948
(https://www.w3.org/TR/png/), Sections 5.3 and 11.2.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2

_SOI, _EOI = b"\xff\xd8", b"\xff\xd9"
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # DHT, JPG and DAC share the range
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM, RST0-7: no length field
_TAIL_BYTES = 64
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}  # by colour type: grey, RGB, palette, grey + alpha, RGBA


@dataclass(frozen=True)
class ImageHeader:
    """Size and channel count of an image file."""

    width: int
    height: int
    channels: int


class ImageProbeError(ValueError):
    """An image that cannot be used; ``kind`` is ``"truncated"`` or ``"unreadable"``."""

    def __init__(self, path: str | Path, kind: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.kind = kind
        self.reason = reason


def probe_image(path: str | Path) -> ImageHeader:
    """Size and channels of an image, checking that a JPEG is complete (see the module docstring).

    Raises:
        ImageProbeError: ``kind="truncated"`` for a JPEG without its end-of-image marker or a PNG without IEND,
            ``kind="unreadable"`` for a corrupt header or a file OpenCV cannot decode.
        FileNotFoundError: the file does not exist.
    """
    with open(path, "rb") as handle:
        start = handle.read(len(_PNG_SIGNATURE))
        if start == _PNG_SIGNATURE:
            return _read_png_header(handle, path)
        if start[:2] != _SOI:
            return _probe_by_decoding(path)
        handle.seek(2)
        header = _read_jpeg_frame_header(handle, path)
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - _TAIL_BYTES))
        if not handle.read().rstrip(b"\x00").endswith(_EOI):
            raise ImageProbeError(path, "truncated", "truncated JPEG (no end-of-image marker)")
    return header


def _read_jpeg_frame_header(handle, path: str | Path) -> ImageHeader:
    """Walk the JPEG markers after SOI up to the frame header; ``handle`` is positioned after SOI."""
    while True:
        byte = handle.read(1)
        if byte != b"\xff":
            raise ImageProbeError(path, "truncated" if not byte else "unreadable",
                                  "JPEG header ends before the frame header" if not byte
                                  else "corrupt JPEG header (expected a marker)")
        marker = handle.read(1)
        while marker == b"\xff":  # fill bytes
            marker = handle.read(1)
        if not marker:
            raise ImageProbeError(path, "truncated", "JPEG header ends before the frame header")
        code = marker[0]
        if code in _STANDALONE_MARKERS:
            continue
        if code in (0xD9, 0xDA):  # EOI or start of scan before any frame header
            raise ImageProbeError(path, "unreadable", "corrupt JPEG: no frame header before the image data")
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            raise ImageProbeError(path, "truncated", "JPEG header ends inside a segment")
        length = int.from_bytes(length_bytes, "big")
        if length < 2:
            raise ImageProbeError(path, "unreadable", f"corrupt JPEG segment length {length}")
        if code in _SOF_MARKERS:
            body = handle.read(6)
            if len(body) < 6:
                raise ImageProbeError(path, "truncated", "JPEG header ends inside the frame header")
            height, width, channels = int.from_bytes(body[1:3], "big"), int.from_bytes(body[3:5], "big"), body[5]
            if width == 0 or height == 0 or channels == 0:
                raise ImageProbeError(path, "unreadable",
                                      f"JPEG frame header gives a {width}x{height}x{channels} image")
            return ImageHeader(width, height, channels)
        handle.seek(length - 2, os.SEEK_CUR)


def _read_png_header(handle, path: str | Path) -> ImageHeader:
    """Size and channels from the IHDR chunk (just after the signature), then the IEND chunk at the end."""
    chunk = handle.read(25)  # length (4), "IHDR", width (4), height (4), depth, colour type, ...
    if len(chunk) < 25 or chunk[4:8] != b"IHDR":
        raise ImageProbeError(path, "truncated" if len(chunk) < 25 else "unreadable", "PNG without its IHDR header")
    width, height = int.from_bytes(chunk[8:12], "big"), int.from_bytes(chunk[12:16], "big")
    channels = _PNG_CHANNELS.get(chunk[17])
    if channels is None or not width or not height:
        raise ImageProbeError(path, "unreadable",
                              f"PNG header gives a {width}x{height} image of colour type {chunk[17]}")
    handle.seek(-len(_PNG_IEND), os.SEEK_END)
    if handle.read() != _PNG_IEND:
        raise ImageProbeError(path, "truncated", "truncated PNG (no IEND chunk at the end)")
    return ImageHeader(width, height, channels)


def _probe_by_decoding(path: str | Path) -> ImageHeader:
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ImageProbeError(path, "unreadable", "not a readable image")
    return ImageHeader(image.shape[1], image.shape[0], 1 if image.ndim == 2 else image.shape[2])
