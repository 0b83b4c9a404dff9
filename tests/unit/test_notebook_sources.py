"""Each notebook's text source (notebooks/*.md, MyST) and its .ipynb hold the same cells, and
the French edition (notebooks/fr/) has the same code cells as the English one.

The .md is what we edit and review; the .ipynb, with outputs, is what students open and
nbval checks. `make notebooks` rebuilds the second from the first: this test fails when
someone edited one and not the other, or changed a code cell in one edition only.
"""
from __future__ import annotations

from pathlib import Path

import ast

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
FRENCH = NOTEBOOKS / "fr"
ENGLISH_PAIRS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
PAIRS = ENGLISH_PAIRS + sorted(FRENCH.glob("[0-9][0-9]_*.ipynb"))


def cells(path: Path) -> list[tuple[str, str, list[str]]]:
    """What both files must agree on: each cell's type, source and tags (not outputs)."""
    notebook = jupytext.read(path)
    return [(cell.cell_type, cell.source.strip(), sorted(cell.metadata.get("tags", [])))
            for cell in notebook.cells]


def test_every_notebook_has_a_text_source_and_every_source_a_notebook() -> None:
    assert ENGLISH_PAIRS, "no notebooks found"
    for folder in (NOTEBOOKS, FRENCH):
        assert (sorted(p.stem for p in folder.glob("[0-9][0-9]_*.md"))
                == sorted(p.stem for p in folder.glob("[0-9][0-9]_*.ipynb"))), folder


def test_every_notebook_is_in_both_editions() -> None:
    assert [p.name for p in FRENCH.glob("[0-9][0-9]_*.md")] == [p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.md")]


def code_cells(path: Path) -> list[tuple[str, list[str]]]:
    return [(source, tags) for kind, source, tags in cells(path) if kind == "code"]


@pytest.mark.parametrize("english", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.md")), ids=lambda p: p.stem)
def test_the_french_edition_has_the_same_code_cells(english: Path) -> None:
    """The two editions run the same code: only the prose around it, and what `tr` prints, differ."""
    ours, theirs = code_cells(english), code_cells(FRENCH / english.name)
    for index, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, f"code cell {index} of {english.name} differs in notebooks/fr/: change both editions"
    assert len(ours) == len(theirs), f"{english.name}: {len(ours)} code cells in English, {len(theirs)} in French"


def test_the_french_app_py_is_the_same_program() -> None:
    """notebooks/fr/app.py, which notebook 03 prints, differs from app.py only in its comments."""
    def program(path: Path) -> str:
        tree = ast.parse(path.read_text())
        tree.body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
        return ast.dump(tree)
    assert program(FRENCH / "app.py") == program(NOTEBOOKS / "app.py")


@pytest.mark.parametrize("ipynb", PAIRS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_text_source_and_the_notebook_agree(ipynb: Path) -> None:
    text, notebook = cells(ipynb.with_suffix(".md")), cells(ipynb)
    for index, (ours, theirs) in enumerate(zip(text, notebook)):
        assert ours == theirs, (f"cell {index} differs between {ipynb.stem}.md and .ipynb ({ipynb.parent.name}): edit the "
                                f".md, then run `make notebooks`")
    assert len(text) == len(notebook), f"{ipynb.stem}.md and .ipynb have different cell counts"
