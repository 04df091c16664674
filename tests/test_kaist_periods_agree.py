"""KAIST's day/night sets are defined in fusion.datasets.kaist and, since the halves are independent, again in
detection.evaluation.ground_truth: the two must agree on every set (and the synthetic KAIST must follow them)."""
from detection.evaluation.ground_truth import period_of as detection_period
from fusion.datasets.kaist import DAY_SETS, NIGHT_SETS, period_of
from fusion.datasets.synthetic_kaist import SETS


def test_fusion_and_detection_agree_on_every_set():
    for set_id in (*DAY_SETS, *NIGHT_SETS):
        assert detection_period(f"{set_id}/V000/I00001") == period_of(set_id)
    assert sorted((*DAY_SETS, *NIGHT_SETS)) == [f"set{i:02d}" for i in range(12)]


def test_synthetic_kaist_uses_sets_of_its_period():
    for periods in SETS.values():
        for period, set_id in periods.items():
            assert period_of(set_id) == period
