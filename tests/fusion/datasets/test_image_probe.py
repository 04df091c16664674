"""probe_image: size and channels from the header; truncated and corrupt files named as such."""
import cv2
import numpy as np
import pytest

from fusion.datasets.image_probe import ImageHeader, ImageProbeError, probe_image


def _jpeg(path, shape, params=()):
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 95, *params])
    return path


@pytest.mark.parametrize("shape, channels", [((80, 96, 3), 3), ((50, 70), 1)])
def test_header_matches_decoded_image(tmp_path, shape, channels):
    path = _jpeg(tmp_path / "a.jpg", shape)
    assert probe_image(path) == ImageHeader(shape[1], shape[0], channels)


def test_progressive_jpeg_and_trailing_padding(tmp_path):
    path = _jpeg(tmp_path / "p.jpg", (40, 60, 3), (cv2.IMWRITE_JPEG_PROGRESSIVE, 1))
    path.write_bytes(path.read_bytes() + b"\x00\x00")
    assert probe_image(path) == ImageHeader(60, 40, 3)


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_truncated_jpeg_is_reported_though_opencv_decodes_it(tmp_path, keep):
    path = _jpeg(tmp_path / "t.jpg", (80, 96, 3))
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    assert cv2.imread(str(path)) is not None  # the trap: OpenCV fills the missing part
    with pytest.raises(ImageProbeError, match="truncated") as info:
        probe_image(path)
    assert info.value.kind == "truncated" and info.value.path == path


def test_header_cut_short_is_truncated(tmp_path):
    path = _jpeg(tmp_path / "t.jpg", (80, 96, 3))
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(ImageProbeError) as info:
        probe_image(path)
    assert info.value.kind == "truncated"


def test_garbage_and_non_jpeg(tmp_path):
    garbage = tmp_path / "g.jpg"
    garbage.write_bytes(b"not an image at all")
    with pytest.raises(ImageProbeError, match="not a readable image") as info:
        probe_image(garbage)
    assert info.value.kind == "unreadable"
    png = tmp_path / "x.png"
    cv2.imwrite(str(png), np.zeros((7, 9, 3), np.uint8))
    assert probe_image(png) == ImageHeader(9, 7, 3)
    with pytest.raises(FileNotFoundError):
        probe_image(tmp_path / "missing.jpg")


def test_scan_before_frame_header_is_unreadable(tmp_path):
    path = tmp_path / "s.jpg"
    path.write_bytes(b"\xff\xd8\xff\xda\x00\x02\xff\xd9")
    with pytest.raises(ImageProbeError, match="no frame header") as info:
        probe_image(path)
    assert info.value.kind == "unreadable"


def test_png_header_and_truncation(tmp_path):
    path = tmp_path / "a.png"
    cv2.imwrite(str(path), np.zeros((30, 40, 3), np.uint8))
    assert (probe_image(path).width, probe_image(path).height, probe_image(path).channels) == (40, 30, 3)
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(ImageProbeError) as info:
        probe_image(path)
    assert info.value.kind == "truncated" and "IEND" in info.value.reason
