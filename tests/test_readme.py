"""The README's examples run as written, in order, after `make demo`, and print what it shows.

Every ```console block of README.md is a session: lines starting with ``$ jazzsolo`` are run
(in this process, from a folder laid out as a checkout after `make demo`: the course model in
output/course-model, the demo's solos in output/demo, examples/ and ../shared beside it), and
the lines under each are what it prints.  In an expected line ``…`` stands for any text (a time,
a path), and a line that is only ``…`` for any number of lines.
"""
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from jazzsolo.cli import main
from jazzsolo.config import MODEL_NAMES

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def sessions(readme: str) -> list[list[tuple[str, list[str]]]]:
    """Each console block as (command, expected lines) pairs."""
    blocks = re.findall(r"```console\n(.*?)```", readme, flags=re.S)
    out = []
    for block in blocks:
        pairs: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                pairs.append((line[2:], []))
            elif pairs:
                pairs[-1][1].append(line.rstrip())
        out.append(pairs)
    return out


def matches(expected: list[str], printed: list[str]) -> bool:
    """Whether the printed lines fit the expected ones (``…`` as above)."""
    pattern = "".join(r"(?:[^\n]*\n)*" if line == "…" else
                      "[^\n]*".join(re.escape(part) for part in line.split("…")) + r"\n"
                      for line in expected)
    return re.fullmatch(pattern, "".join(line + "\n" for line in printed)) is not None


def test_matches_reads_the_ellipses():
    assert matches(["Wrote … notes", "…", "end"], ["Wrote 12 notes", "a", "b", "end"])
    assert not matches(["Wrote 12 notes"], ["Wrote 13 notes"])
    assert not matches(["a"], ["a", "b"])


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A folder as a checkout looks after `make demo`, with ../shared beside it."""
    if not (SHARED / "data" / "wjazzd").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the shared data at {SHARED}")
        pytest.skip(f"the shared data is not at {SHARED}")
    work = tmp_path / "checkout"
    work.mkdir()
    (tmp_path / "shared").symlink_to(SHARED)
    (work / "examples").symlink_to(REPO / "examples")
    shutil.copytree(MODEL_NAMES["course"], work / "output" / "course-model")
    monkeypatch.chdir(work)
    monkeypatch.delenv("JAZZSOLO_MIDI", raising=False)
    for args in (["--model", "output/course-model", "--seed", "0"],      # as `make demo` does
                 ["--progression", "blues", "--choruses", "2", "--seed", "1", "--musicxml"]):
        assert main(["generate", *args, "--output_dir", "output/demo"]) == 0
    return work


def test_every_readme_example_runs_as_written_and_prints_what_it_shows(checkout, capsys):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = sessions(readme)
    assert len(found) >= 3 and sum(len(s) for s in found) >= 10
    capsys.readouterr()
    for session in found:
        for command, expected in session:
            words = shlex.split(command)
            assert words[0] == "jazzsolo", command
            code = main(words[1:])
            printed = capsys.readouterr()
            assert code == 0, f"{command}\n{printed.err}"
            lines = printed.out.rstrip("\n").splitlines()
            assert matches(expected, lines), (f"{command} printed:\n{printed.out}\nREADME "
                                              f"shows:\n" + "\n".join(expected))
