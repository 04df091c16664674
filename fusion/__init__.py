"""Infrared-visible image fusion: MSFAM, NestFuse, classical baselines, losses and metrics."""

__version__ = "0.1.0"
