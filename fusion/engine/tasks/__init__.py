"""Training phases, registered in ``TASKS``: stage-1 reconstruction, the Semantic Constraint classifier and
stage-2 fusion."""
from .base import Task
from .classifier import ClassifierTask
from .fusion import FusionTask
from .reconstruction import ReconstructionTask

__all__ = ["ClassifierTask", "FusionTask", "ReconstructionTask", "Task"]
