"""Markdown (pipe) tables through ``tabulate``: one way to write them everywhere in ``fusion``."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tabulate import tabulate


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int = 1) -> str:
    """A GitHub-flavoured markdown table; columns from ``numeric_from`` on are right-aligned.

    Cells are written as given (format numbers before passing them), so a table reads the same whatever
    ``tabulate`` would have made of a number.
    """
    align = ["left"] * min(numeric_from, len(header)) + ["right"] * max(0, len(header) - numeric_from)
    text_rows = [[str(cell) for cell in row] for row in rows]
    return tabulate(text_rows, headers=[str(h) for h in header], tablefmt="pipe", colalign=align,
                    disable_numparse=True)
