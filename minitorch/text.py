"""Text for character-level language models: a list of words (names, one per line), read
and checked. minitorch ships the names list of Karpathy's makemore (MIT licence, see
``bundled/names-LICENSE.txt``), so the language-model example runs without any download."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["NAMES_PATH", "load_words"]

NAMES_PATH = Path(__file__).resolve().parent / "bundled" / "names.txt"


def load_words(path: str | os.PathLike[str] | None = None) -> list[str]:
    """The words in the UTF-8 text file ``path`` (default: the bundled names), one per line,
    with surrounding whitespace and blank lines dropped.

    Raises FileNotFoundError for a missing file and ValueError for one that is not text (it
    holds NUL bytes or is not UTF-8) or holds no words."""
    path = NAMES_PATH if path is None else Path(path)
    raw = path.read_bytes()
    nul = raw.find(b"\0")
    if nul >= 0:
        raise ValueError(f"{path} is not a text file (a NUL byte at offset {nul}); expected "
                         "one word per line")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "expected one word per line"
        ) from None
    words = [line.strip() for line in text.splitlines()]
    words = [word for word in words if word]
    if not words:
        raise ValueError(f"{path} holds no words (it is empty or only blank lines); expected "
                         "one word per line")
    return words
