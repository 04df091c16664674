"""markdown_table: pipe table, cells as given, numeric columns right-aligned."""
from fusion.utils.markdown import markdown_table


def test_pipe_table_alignment_and_cells():
    rows = [["msfam", "7.180", "2.10"], ["nestfuse", "7.223", "2.0"]]
    lines = markdown_table(["method", "EN", "MI"], rows).splitlines()
    assert [line.split("|")[1].strip() for line in lines] == ["method", ":---------", "msfam", "nestfuse"]
    assert lines[1].replace("-", "") == "|:|:|:|"
    assert "7.180" in lines[2] and "2.10" in lines[2]  # not re-formatted as numbers
    assert markdown_table(["a", "b"], [["x", 1]], numeric_from=2).splitlines()[1].replace("-", "") == "|:|:|"
