"""Nested config dicts as flat ``{"a.b.0.c": leaf}`` maps, for tests that compare configs key by key."""
from __future__ import annotations


def flatten(value, prefix: str = "") -> dict:
    """``{"a.b.0.c": leaf}`` of nested dicts and lists of dicts (other values are leaves)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)) and any(isinstance(v, dict) for v in value):
        items = enumerate(value)
    else:
        return {prefix: value}
    flat = {}
    for key, item in items:
        flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    return flat
