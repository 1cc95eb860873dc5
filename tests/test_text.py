"""minitorch.text: the bundled names list and the checks on a word file."""

import pytest

from minitorch.text import NAMES_PATH, load_words


def test_bundled_names_ship_with_their_licence():
    words = load_words()
    assert len(words) == 32033 and words[:3] == ["emma", "olivia", "ava"]
    assert max(len(w) for w in words) == 15
    licence = (NAMES_PATH.parent / "names-LICENSE.txt").read_text()
    assert "MIT License" in licence and "karpathy/makemore" in licence


def test_words_are_stripped_and_blank_lines_dropped(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("  anna \n\n\tbob\r\n", encoding="utf-8")
    assert load_words(path) == ["anna", "bob"]


@pytest.mark.parametrize("content", [b"", b"\n \n\t\n"])
def test_empty_file_raises(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="holds no words"):
        load_words(path)


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file .*NUL byte at offset 8"),
    (b"anna\n\xff\xfebob\n", "not UTF-8 text .*byte 0xff at offset 5"),
])
def test_binary_file_raises(tmp_path, content, message):
    path = tmp_path / "image.png"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        load_words(path)


def test_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_words(tmp_path / "nowhere.txt")
