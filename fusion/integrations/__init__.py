"""Fusion inside other frameworks: ``mmdet_fusion`` registers on-the-fly fusion in MMDetection."""
