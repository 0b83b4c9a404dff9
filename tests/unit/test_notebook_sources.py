"""Each notebook's text source (notebooks/*.md, MyST) and its .ipynb hold the same cells.

The .md is what we edit and review; the .ipynb, with outputs, is what students open and
nbval checks. `make notebooks` rebuilds the second from the first: this test fails when
someone edited one and not the other.
"""
from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PAIRS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def cells(path: Path) -> list[tuple[str, str, list[str]]]:
    """What both files must agree on: each cell's type, source and tags (not outputs)."""
    notebook = jupytext.read(path)
    return [(cell.cell_type, cell.source.strip(), sorted(cell.metadata.get("tags", [])))
            for cell in notebook.cells]


def test_every_notebook_has_a_text_source_and_every_source_a_notebook() -> None:
    assert PAIRS, "no notebooks found"
    assert sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.md")) == [p.stem for p in PAIRS]


@pytest.mark.parametrize("ipynb", PAIRS, ids=lambda p: p.stem)
def test_the_text_source_and_the_notebook_agree(ipynb: Path) -> None:
    text, notebook = cells(ipynb.with_suffix(".md")), cells(ipynb)
    for index, (ours, theirs) in enumerate(zip(text, notebook)):
        assert ours == theirs, (f"cell {index} differs between {ipynb.stem}.md and .ipynb: edit the "
                                f".md, then run `make notebooks`")
    assert len(text) == len(notebook), f"{ipynb.stem}.md and .ipynb have different cell counts"
