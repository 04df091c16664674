"""KAIST's sets, periods and frame ids: the one definition both fusion and detection use."""
import pytest

from fusion.utils.kaist_sets import DAY_SETS, NIGHT_SETS, TEST_SETS, TRAIN_SETS, frame_key, period_of, split_frame_id


def test_sets_and_periods():
    assert set(DAY_SETS) | set(NIGHT_SETS) == set(TRAIN_SETS) | set(TEST_SETS) == {f"set{i:02d}" for i in range(12)}
    assert not set(DAY_SETS) & set(NIGHT_SETS) and not set(TRAIN_SETS) & set(TEST_SETS)
    assert [period_of(s) for s in ("set00", "set02", "set03", "set06", "set08", "set09", "set11")] == [
        "day", "day", "night", "day", "day", "night", "night"]
    with pytest.raises(ValueError, match="set12"):
        period_of("set12")


def test_period_of_a_frame_id_is_its_sets():
    for set_id in (*DAY_SETS, *NIGHT_SETS):
        assert period_of(f"{set_id}/V000/I00001") == period_of(set_id)
    with pytest.raises(ValueError, match="set12"):
        period_of("set12/V000/I00001")


def test_split_frame_id():
    assert split_frame_id("set06/V000/I00019") == ("set06", "V000", "I00019")
    for bad in ("set06/V000/I00019.jpg", "set06_V000_I00019", "set6/V000/I00019"):
        with pytest.raises(ValueError, match="not a KAIST frame id"):
            split_frame_id(bad)


def test_frame_key_reads_what_split_frame_id_parses():
    assert split_frame_id(frame_key("data/kaist/images/set06/V000/lwir/I00019.jpg")) == ("set06", "V000", "I00019")
