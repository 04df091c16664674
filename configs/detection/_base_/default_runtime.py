# Runtime: mmdet's defaults (hooks, logging, visualiser, env) plus this project's add-on.
_base_ = 'mmdet::_base_/default_runtime.py'

# GFLV2Head and KaistMetric live in the `detection` package; importing it also makes mmengine load local
# checkpoints weights-only with an allow-list (load_from, --resume, tools/test_det.py; detection/checkpoint.py).
custom_imports = dict(imports=['detection'], allow_failed_imports=False)

# one checkpoint per epoch, the last three kept (24 epochs of R50 would be about 3 GB)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3))
