"""Registries of the fusion package: everything buildable is registered and built from ``type=`` dicts.

``FUSION_MODELS`` holds every fusion method (networks and training-free baselines), each taking
``(vis, ir)`` tensors of shape ``(B, 1, H, W)`` in ``[0, 1]`` and returning the fused ``(B, 1, H, W)``
image on the same scale (not clipped). ``NETWORKS`` holds the other networks (the Semantic Constraint
classifier), ``LOSSES`` the training losses, ``DATASETS`` the training and validation datasets and
``TASKS`` the training phases (stage 1, classifier, stage 2) that ``fusion.engine`` runs.
"""
from mmengine.registry import Registry

FUSION_MODELS = Registry("fusion model", locations=["fusion.models"])
NETWORKS = Registry("fusion network", locations=["fusion.models"])
LOSSES = Registry("fusion loss", locations=["fusion.losses"])
DATASETS = Registry("fusion dataset", locations=["fusion.datasets"])
TASKS = Registry("fusion training task", locations=["fusion.engine"])
