"""The MSFAM paper's Table 7 (Sensors 2022, Sec. 4.4), to show beside our detectors.

GFLv2 with an ImageNet-pretrained ResNet-50, 24 epochs on KAIST, one training run per input, COCO AP /
APS / APM / APL without intervals.
"""
from __future__ import annotations

PAPER_COLUMNS = ("AP", "APS", "APM", "APL")
#: Row -> (AP, APS, APM, APL), as printed.
TABLE7 = {
    "Visible": (0.756, 0.673, 0.754, 0.819),
    "Infrared": (0.764, 0.708, 0.762, 0.820),
    "Hybrid_MSD": (0.765, 0.703, 0.761, 0.821),
    "SEDR": (0.764, 0.694, 0.758, 0.823),
    "DIDFuse": (0.764, 0.700, 0.754, 0.820),
    "NestFuse": (0.766, 0.708, 0.763, 0.815),
    "MSFAM": (0.768, 0.710, 0.764, 0.819),
}
PAPER_SETUP = ("GFLv2 R50 with ImageNet weights, 24 epochs on KAIST (the training list and image count are not "
               "stated), one run per input, no interval")
#: Our input names (image folders, fusion methods) -> the paper's row.
_ROW_OF = {"visible": "Visible", "lwir": "Infrared", "infrared": "Infrared", "nestfuse": "NestFuse",
           "msfam": "MSFAM", "fused_baseline": "NestFuse", "fused": "MSFAM"}


def paper_row(name: str, fusion_method: str | None = None) -> str | None:
    """The Table 7 row that an input of ours corresponds to (by fusion method, else by name), if any."""
    for key in (fusion_method, name):
        if key and key.lower() in _ROW_OF:
            return _ROW_OF[key.lower()]
    return None
