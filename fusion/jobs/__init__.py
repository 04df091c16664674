"""Jobs built on the library: the fused-dataset job (KAIST, LLVIP, MSRS), the README demo and the prepared GPU run.

Kept import-free: ``tools/device_run.py`` imports ``fusion.jobs.device_run`` modules on a machine without the
third-party packages.
"""
