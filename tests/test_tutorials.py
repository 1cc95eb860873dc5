"""Every tutorial in docs/tutorials runs as a script in its fast mode, prints its numbers and,
when matplotlib is installed, writes its picture; each is a Jupytext percent script, so it
opens as a notebook."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from child_processes import start_all

TUTORIALS = sorted((Path(__file__).resolve().parents[1] / "docs" / "tutorials").glob("*.py"))
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every tutorial started at once in fast mode, each in a folder of its own:
    name -> (future result, folder)."""
    folders = {path.stem: tmp_path_factory.mktemp(path.stem) for path in TUTORIALS}
    futures = start_all({
        path.stem: ([sys.executable, str(path)], folders[path.stem]) for path in TUTORIALS
    })
    return {name: (futures[name], folders[name]) for name in folders}


def test_the_six_tutorials_are_there():
    assert [path.stem for path in TUTORIALS] == [
        "01_gradient_descent",
        "02_backpropagation",
        "03_initialisation",
        "04_vanishing_gradients",
        "05_optimizers",
        "06_softmax_cross_entropy",
    ]


@pytest.mark.parametrize("path", TUTORIALS, ids=[path.stem for path in TUTORIALS])
def test_tutorial_runs_and_draws_its_picture(path, runs):
    future, folder = runs[path.stem]
    result = future.result()
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr  # no overflow or NaN along the way
    assert re.search(r"\d\.\d", result.stdout)  # it shows its numbers
    picture = folder / f"{path.stem}.png"
    if HAS_MATPLOTLIB:
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert result.stdout.rstrip().endswith(f"saved {picture.name}")
    else:
        assert list(folder.iterdir()) == []


@pytest.mark.parametrize("path", TUTORIALS, ids=[path.stem for path in TUTORIALS])
def test_tutorial_is_a_percent_script_with_a_numbered_title(path):
    text = path.read_text()
    assert text.startswith("# ---\n# jupyter:\n#   jupytext:\n#     formats: py:percent\n# ---\n")
    cells = re.split(r"^# %%", text, flags=re.MULTILINE)[1:]
    markdown = [cell for cell in cells if cell.startswith(" [markdown]")]
    assert markdown and len(markdown) < len(cells)  # text and code alternate
    number = int(path.stem[:2])
    assert markdown[0].startswith(f" [markdown]\n# # {number}. ")
    if importlib.util.find_spec("jupytext"):  # optional: the real reader, where installed
        import jupytext

        notebook = jupytext.read(path)
        kinds = {cell.cell_type for cell in notebook.cells}
        assert kinds == {"markdown", "code"} and len(notebook.cells) == len(cells)
