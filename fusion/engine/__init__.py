"""Training of the fusion networks: the loop (:class:`Trainer`), the phases (``tasks``), the seeded batch
stream, training state, logs and validation; importing this package registers the tasks in ``TASKS``."""
from . import tasks
from .trainer import Trainer

__all__ = ["Trainer", "tasks"]
