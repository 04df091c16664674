"""Leaderboards on tiny stand-ins of the published folders: coverage, the pairs scored, ranks and ties."""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from fusion.datasets.paired import PairRecord
from fusion.metrics import PAPER_METRICS
from fusion.reports.folder_scores import PairJob, score_job
from fusion.reports.leaderboard import (OURS_SUFFIX, Leaderboard, build_leaderboard, build_leaderboards,
                                        index_published, rank, select_published, write_leaderboard_gallery)
from fusion.reports.render import leaderboard_markdown, msfam_standing
from fusion.reports.sets import EvalSet, fused_file_name

from ..conftest import write_pairs

SHAPE = (168, 176)
STEMS = ["1", "2", "3", "4"]


def test_rank_gives_ties_the_mean_of_their_ranks_and_nan_the_last():
    assert rank({"a": 3.0, "b": 1.0, "c": 2.0}) == {"a": 1, "c": 2, "b": 3}
    assert rank({"a": 2.0, "b": 2.0, "c": 1.0, "d": 5.0}) == {"d": 1, "a": 2.5, "b": 2.5, "c": 4}
    assert rank({"a": math.nan, "b": 0.0}) == {"b": 1, "a": 2}


def test_methods_below_the_coverage_are_left_out():
    published = {"full": {s: Path(s) for s in STEMS}, "three": {s: Path(s) for s in STEMS[:3]},
                 "one": {"4": Path("4")}, "other_set": {"99": Path("99")}}
    ranked, left_out = select_published(published, STEMS, min_pairs=3)
    assert list(ranked) == ["full", "three"] and ranked["three"].keys() == {"1", "2", "3"}
    assert left_out == {"one": 1, "other_set": 0}


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory) -> dict:
    """Pairs 1-4 of a set ``tno21``; our methods ``average`` and ``msfam`` (IR copy); published ``Copy-IR`` on all
    four pairs, ``Copy-VI`` on 1-3, ``Flat`` (mid grey) on 1-3 and ``Lone`` on pair 4 only."""
    root = tmp_path_factory.mktemp("leaderboard")
    write_pairs(root / "fusion", "tno21", STEMS, shape=SHAPE, seed=3)
    pairs = tuple(PairRecord(f"tno21/{s}", root / "fusion/tno21/vi" / f"{s}.png", root / "fusion/tno21/ir" / f"{s}.png")
                  for s in STEMS)
    ours = {"average": root / "ours/average", "msfam": root / "ours/msfam"}
    for folder in ours.values():
        folder.mkdir(parents=True)
    published = root / "published" / "tno21"
    for pair in pairs:
        ir, vis = cv2.imread(str(pair.ir), 0), cv2.imread(str(pair.vis), 0)
        stem = pair.name.split("/")[1]
        cv2.imwrite(str(ours["average"] / fused_file_name(pair)), ((ir.astype(int) + vis) // 2).astype(np.uint8))
        cv2.imwrite(str(ours["msfam"] / fused_file_name(pair)), ir)
        outputs = {"Copy-IR": ir}
        if stem != "4":
            outputs |= {"Copy-VI": vis, "Flat": np.full_like(ir, 128)}
        else:
            outputs["Lone"] = vis
        for method, image in outputs.items():
            (published / method).mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(published / method / f"{stem}.bmp"), image)
    return {"set": EvalSet("tno21", "stand-in", pairs), "ours": ours, "published": root / "published"}


@pytest.fixture(scope="module")
def board(stand_in) -> Leaderboard:
    published = index_published(stand_in["published"], "tno21")
    return build_leaderboard(stand_in["set"], stand_in["ours"], published, "ITC", min_pairs=3)


def test_the_board_scores_the_pairs_every_ranked_method_covers(board):
    assert board.stems == ["1", "2", "3"]
    assert board.left_out == {"Lone": 1}
    assert set(board.values) == {"average" + OURS_SUFFIX, "msfam" + OURS_SUFFIX, "Copy-IR", "Copy-VI", "Flat"}
    assert board.ours == ["average" + OURS_SUFFIX, "msfam" + OURS_SUFFIX]


def test_values_are_the_quality_reports_scores_on_those_pairs(board, stand_in):
    pairs = {p.name.split("/")[1]: p for p in stand_in["set"].pairs}
    jobs = [PairJob(s, pairs[s].ir, pairs[s].vis, {"x": stand_in["published"] / "tno21" / "Flat" / f"{s}.bmp"})
            for s in board.stems]
    expected = np.mean([score_job(job, ["EN", "ITC"])["x"]["EN"] for job in jobs])
    assert board.values["Flat"]["EN"] == pytest.approx(expected)


def test_ranks_mean_rank_order_and_ties(board):
    msfam = "msfam" + OURS_SUFFIX
    for metric in (*PAPER_METRICS, "ITC"):  # our msfam and Copy-IR write identical images: tied on every metric
        assert board.ranks[msfam][metric] == board.ranks["Copy-IR"][metric]
    assert board.ranks["Copy-IR"]["ITC"] == 1.5  # infrared kept whole: the two best on ITC, tied
    assert board.ranks["Flat"]["ITC"] >= 4  # no infrared contrast at all
    for row, ranks in board.ranks.items():
        assert board.mean_rank[row] == pytest.approx(np.mean([ranks[m] for m in PAPER_METRICS]))
    assert list(board.mean_rank.values()) == sorted(board.mean_rank.values())
    assert board.place(msfam) == board.place("Copy-IR")
    assert board.place(msfam, "ITC") == 1 and board.place("Flat", "ITC") == board.ranks["Flat"]["ITC"]


def test_markdown_states_pairs_left_out_methods_and_msfams_standing(board):
    text = leaderboard_markdown(board)
    assert "### tno21: 3 pairs, 5 rows" in text and "Lone (1)" in text
    assert f"**msfam{OURS_SUFFIX}**" in text and "MSFAM is **" in text
    standing = msfam_standing(board)
    assert "1st** on ITC" in standing and "the aims on tno21" in standing  # the aims are set on tno21 only
    assert ("mean rank missed by" in standing) == (board.place("msfam" + OURS_SUFFIX) > 3)
    elsewhere = msfam_standing(Leaderboard("msrs", board.stems, board.values, board.ranks, board.mean_rank))
    assert "aims" not in elsewhere and elsewhere.startswith("MSFAM is **")


def test_sets_without_published_outputs_get_no_board(stand_in, tmp_path):
    other = EvalSet("msrs", "no published outputs", stand_in["set"].pairs)
    boards = build_leaderboards([stand_in["set"], other], stand_in["ours"], stand_in["published"], "ITC", 3)
    assert [b.set_name for b in boards] == ["tno21"]
    assert write_leaderboard_gallery([], [], stand_in["ours"], tmp_path / "g.png") is None


def test_no_method_with_enough_pairs_is_a_clear_error(stand_in):
    published = index_published(stand_in["published"], "tno21")
    with pytest.raises(ValueError, match="no published method covers 5 or more of the 4 tno21 pairs"):
        build_leaderboard(stand_in["set"], stand_in["ours"], published, "ITC", min_pairs=5)


def test_gallery_shows_the_best_published_rows_then_ours(board, stand_in, tmp_path):
    ours = {**stand_in["ours"], "nestfuse": stand_in["ours"]["average"]}
    path = write_leaderboard_gallery([board], [stand_in["set"]], ours, tmp_path / "g.png")
    image = cv2.imread(str(path))
    assert image.shape[0] > 192 and image.shape[1] > 7 * 192  # ir, vis, 3 published, nestfuse, msfam
