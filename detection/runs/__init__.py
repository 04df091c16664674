"""Running the add-on's detectors and reporting on the runs, for ``tools/`` and ``bench/``: config resolution and
preparation (:mod:`.config`), the data check before a run (:mod:`.data_check`), quiet runs (:mod:`.quiet`), test
records (:mod:`.records`), inference on images in memory (:mod:`.inference`), the demo's detectors
(:mod:`.demo`), and the comparison of runs with its report (:mod:`.comparison`, :mod:`.comparison_report`,
:mod:`.paper_table7`).

Nothing here is registered in mmdet: ``custom_imports = dict(imports=['detection'])`` loads the add-on above
(models, datasets, evaluation, the checkpoint loader), not this package.
"""
