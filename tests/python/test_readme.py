"""The README's Python examples must run as written: the first ```python block under the first
heading that mentions Python, and the one under the training heading, are executed (the tests fail,
never skip, when one is missing)."""
import pathlib
import re

import pytest

import tapenet as tn

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def python_example(text, word="Python"):
    """The first ```python fenced block in the section of the first heading containing `word`
    (up to the next heading of the same or a higher level). Lines inside fences are never headings."""
    level = None  # level of the Python heading once found
    fence = None  # language of the fence we are in, or None outside fences
    block = []
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None:
            m = re.match(r"```+\s*(\S*)", stripped)
            if m:
                fence = m.group(1) or "text"
                continue
            h = re.match(r"(#{1,6})\s+(.*)", line)
            if h and level is None and word in h.group(2):
                level = len(h.group(1))
            elif h and level is not None and len(h.group(1)) <= level:
                break
        elif stripped.startswith("```"):
            if level is not None and fence == "python":
                return "\n".join(block)
            fence = None
        elif level is not None and fence == "python":
            block.append(line)
    assert level is not None, f"{README} has no heading mentioning {word}"
    raise AssertionError(f"{README} has no ```python block under its {word} heading")


def test_readme_python_example_runs(tmp_path, monkeypatch):
    code = python_example(README.read_text(encoding="utf-8"))
    assert code.strip(), "the Python example is empty"
    monkeypatch.chdir(tmp_path)  # anything the example writes lands in a temporary directory
    exec(compile(code, f"{README}:python-example", "exec"), {"__name__": "__readme__"})


def test_extractor_finds_the_right_block():
    text = ("# t\n```sh\n# Python comment\n```\n## C++ quick start\n```python\nwrong = 1\n```\n## Python\n\n"
            "```sh\n# a comment\n```\ntext\n### Sub\n```python\nright = 2\nx = 3\n```\n```python\nlater = 3\n```\n")
    assert python_example(text) == "right = 2\nx = 3"


def test_extractor_stops_at_next_section():
    with pytest.raises(AssertionError):
        python_example("## Python bindings\ntext\n## Other\n```python\nx = 1\n```\n")


def test_readme_training_example_runs(tmp_path, monkeypatch):
    """One epoch of LeNet-5 on Fashion-MNIST (Debian's package, installed by scripts/install-deps)
    and a checkpoint that loads back."""
    code = python_example(README.read_text(encoding="utf-8"), "Training")
    monkeypatch.chdir(tmp_path)
    scope = {"__name__": "__readme__", "tn": tn}
    exec(compile(code, f"{README}:training-example", "exec"), scope)
    assert scope["meta"]["epoch"] == 1 and scope["meta"]["loader"]["epoch"] == 1
    assert (tmp_path / "run.h5").is_file()
