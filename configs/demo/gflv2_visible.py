# The demo's GFLv2 on the visible (colour) band: configs/detection/gflv2_visible.py with the demo's settings.
_base_ = ['./_base_/gflv2_demo.py']
