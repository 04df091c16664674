"""The Python half of ``tools/device_run.sh`` (the prepared GPU run): its data, step records and ``summary.json``.

Modules, one purpose each:

- :mod:`.phase_data`: the pairs and sets the fusion phase reads (``configs/fusion/splits``, the configs' ``sets``).
- :mod:`.stand_in`: stand-in data: tiny fusion pairs for a dry run, the repeated synthetic KAIST.
- :mod:`.budget`: the bytes a device call carries (the working tree, the carried paths, a packed file).
- :mod:`.packing`: the fusion data as a tarball sized to travel with a device call.
- :mod:`.steps`: step records (``steps.jsonl``) and a phase's status from them.
- :mod:`.results`: each phase's results, read from the files its steps wrote.
- :mod:`.environment`: the machine and the software that imports on it.
- :mod:`.summary`: ``summary.json``, started with the environment and rewritten after every phase.

The modules used before the device machine installs the carried wheels (:mod:`.steps`, :mod:`.results`,
:mod:`.environment`, :mod:`.summary`) import only the standard library and :mod:`fusion.utils.files`;
:mod:`.phase_data`, :mod:`.stand_in` and :mod:`.packing` need mmengine, numpy and OpenCV. This file imports
none of them, so that importing one does not import the others.
"""
