"""The package says what it is: MIT in the licence file and in the metadata, type hints marked
for type checkers, the bundled names list shipped with its licence note, and a changelog whose
newest entry is the package's version."""

import re
from pathlib import Path

import pytest

import minitorch

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_licence_is_mit_as_an_spdx_expression_with_its_file(project):
    assert project["project"]["license"] == "MIT"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n")
    # The SPDX form needs a setuptools that knows it, or installing warns or fails.
    assert project["build-system"]["requires"] == ["setuptools>=77"]


def test_type_hints_are_marked_and_shipped(project):
    assert (ROOT / "minitorch" / "py.typed").is_file()
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["minitorch"]


def test_bundled_names_list_ships_with_its_licence_note(project):
    assert "bundled/*.txt" in project["tool"]["setuptools"]["package-data"]["minitorch"]
    bundled = {path.name for path in (ROOT / "minitorch" / "bundled").glob("*.txt")}
    assert bundled == {"names.txt", "names-LICENSE.txt"}


def test_changelog_starts_with_this_version(project):
    changelog = (ROOT / "CHANGELOG.md").read_text()
    newest = re.search(r"^## (\S+)", changelog, flags=re.MULTILINE).group(1)
    assert newest == minitorch.__version__ == project["project"]["version"]
