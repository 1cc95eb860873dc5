"""Every command and code block in README.md runs as written, without a network.

The Python blocks run in order in one namespace, as a reader pasting them one after another
would run them. The shell blocks run line by line, in a scratch folder that mirrors the
repository through symbolic links (so what the commands write lands there), by these rules:

- Not run: a line whose comment says "needs the network"; `make test`, which is this suite;
  `make bench`, which takes minutes (its workers have their own check, run.py --check).
- `.venv/bin/python` is the interpreter running this test, and `make` runs with PY set to it
  and the setup step taken as done (`make -o .venv/.installed`), so nothing is installed.
- `path/to/NAME` and `data/NAME` stand for folders of MNIST-format IDX files: the test writes
  a small one (random 28x28 images) and the command reads it.
- The training examples run one epoch: `--epochs 1` is appended to every command that runs
  `examples/*_example.py` (argparse keeps the last value), and `--steps 20 --eval-every 10`
  to every command that runs the language model (`char_lm.py` or its PyTorch twin, which
  runs only where torch is installed). The tutorials run in their fast mode
  (TUTORIAL_FAST=1). Everything else runs as written.
"""

import importlib.util
import re
import shlex
import sys
from pathlib import Path

import pytest
from child_processes import start_all
from idx_files import write_mnist

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TEXT = README.read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)
SHELL_LINES = [
    line.strip()
    for block in re.findall(r"```sh\n(.*?)```", TEXT, flags=re.DOTALL)
    for line in block.splitlines()
    if line.strip() and not line.strip().startswith("#")
]
NOT_RUN = {
    "needs the network": lambda line: "needs the network" in line,
    "this test suite itself": lambda line: re.search(r"\bmake test\b", line),
    "takes minutes": lambda line: re.search(r"\bmake bench\b", line),
    "needs PyTorch": lambda line: "_torch.py" in line and importlib.util.find_spec("torch") is None,
}
RUN = [line for line in SHELL_LINES if not any(rule(line) for rule in NOT_RUN.values())]
DATA_FOLDER = re.compile(r"(?<![\w/.])(?:path/to|data)/[\w-]+")


def test_readme_starts_with_make_run_and_make_test():
    assert SHELL_LINES[0].startswith("make run ") and SHELL_LINES[1].startswith("make test ")
    assert TEXT.index("```sh") < TEXT.index("```python")


def test_only_downloads_are_marked_as_needing_the_network():
    marked = [line for line in SHELL_LINES if NOT_RUN["needs the network"](line)]
    assert marked and all(re.search(r"\bpip install\b|\bcurl\b", line) for line in marked)
    assert len(RUN) >= 10 and RUN[0].startswith("make run ")
    assert any("examples/quickstart.py" in line for line in RUN)


def test_python_blocks_run_in_order(capsys, tmp_path, monkeypatch):
    assert len(PYTHON_BLOCKS) >= 3
    monkeypatch.chdir(tmp_path)  # what the blocks write (checkpoints) lands there
    namespace: dict = {}
    for number, code in enumerate(PYTHON_BLOCKS):
        exec(compile(code, f"{README}, python block {number}", "exec"), namespace)
        assert capsys.readouterr().out.strip(), f"python block {number} printed nothing"


def as_run_here(line: str) -> str:
    """The command with the rules of the module docstring applied."""
    python = shlex.quote(sys.executable)
    command = line.split("  #")[0].strip()  # the comment, after two spaces, is for readers
    command = command.replace(".venv/bin/python", python)
    command = re.sub(r"^make\b", f"make -o .venv/.installed PY={python}", command)
    command = DATA_FOLDER.sub("small-mnist", command)
    if re.search(r"examples/\w+_example\.py", command):
        command += " --epochs 1"
    if "char_lm" in command:
        command += " --steps 20 --eval-every 10"
    return command


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every command started at once in a folder whose top-level entries are links to the
    repository's, beside a small MNIST: command -> future result."""
    folder = tmp_path_factory.mktemp("readme")
    for entry in ROOT.iterdir():
        if entry.name not in {".git", "data"}:
            (folder / entry.name).symlink_to(entry)
    (folder / "small-mnist").mkdir()
    write_mnist(folder / "small-mnist", n_train=64, n_test=16, rows=28, cols=28)
    commands = [as_run_here(line) for line in RUN]
    return start_all({command: (["bash", "-c", command], folder) for command in commands})


@pytest.mark.parametrize("line", RUN, ids=[f"sh{i}" for i in range(len(RUN))])
def test_shell_command_runs(line, runs):
    command = as_run_here(line)
    result = runs[command].result()
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    if "char_lm" in command:  # every language-model run ends with its losses
        assert "final loss: train" in result.stdout
    elif re.search(r"examples/|make .*\brun\b", command):  # every training run ends so
        assert "test accuracy: " in result.stdout
