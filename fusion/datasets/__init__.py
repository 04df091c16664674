"""Datasets: paired fusion folders, KAIST and the synthetic KAIST-layout sample."""
