"""The course notebook, executed top to bottom on a fresh kernel with small settings."""
from __future__ import annotations

import json
import sys
import time
import wave
from pathlib import Path

import nbclient
import nbformat
import numpy as np

NOTEBOOK = Path(__file__).resolve().parents[1] / "Improvise_a_Jazz_Solo_with_an_LSTM_Network.ipynb"
# Small settings (Tx = 10 shortens the unrolled graph Keras traces) so the run takes about a
# minute on 2 cores; they are injected after the parameters cell.
SMALL_SETTINGS = {"epochs": 5, "Tx": 10, "Ty": 20, "seed": 1}
CELL_TIMEOUT_S = 300


def inject_parameters(notebook, settings: dict) -> None:
    """Add a cell after the one tagged `parameters` that overrides its settings (as papermill does)."""
    tagged = [i for i, cell in enumerate(notebook.cells)
              if "parameters" in cell.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "the notebook needs exactly one cell tagged 'parameters'"
    source = "# Injected by tests/test_notebook.py\n" + "\n".join(
        f"{name} = {value!r}" for name, value in settings.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    notebook.cells.insert(tagged[0] + 1, cell)


def this_python_kernel(directory: Path, monkeypatch) -> str:
    """A kernel spec running this interpreter (the venv with jazzsolo), whatever else is installed."""
    spec_dir = directory / "kernels" / "jazzsolo-test"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "jazzsolo test", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(directory))
    return "jazzsolo-test"


def _rms(path: Path) -> float:
    with wave.open(str(path)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32768.0
    return float(np.sqrt(np.mean(samples ** 2))) if len(samples) else 0.0


def test_notebook_is_committed_clean():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code), \
        "commit the notebook without outputs"
    assert not any(line.lstrip().startswith(("def ", "class "))
                   for cell in code for line in cell.source.splitlines()), \
        "the notebook only calls the package; define functions in jazzsolo instead"
    parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and code[0] is parameters[0]
    for name in ("epochs", "n_a", "Tx", "Ty", "temperature", "seed", "instrument", "qpm",
                 "midi_path"):
        assert f"\n{name} =" in "\n" + parameters[0].source, f"setting {name} missing"


def test_notebook_runs_top_to_bottom(tmp_path, monkeypatch, metheny_midi):
    # metheny_midi (tests/conftest.py) fails in CI and skips elsewhere when the tune is missing.
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    inject_parameters(notebook, dict(SMALL_SETTINGS, midi_path=str(metheny_midi)))
    workdir = tmp_path / "run"                             # so the repo's output/ is untouched
    workdir.mkdir()
    kernel = this_python_kernel(tmp_path / "jupyter", monkeypatch)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name=kernel,
                                     resources={"metadata": {"path": str(workdir)}})
    started = time.perf_counter()
    client.execute()                                         # raises CellExecutionError on any error
    elapsed = time.perf_counter() - started
    output = workdir / "output"
    midi_file, wav_file, roll = output / "my_music.midi", output / "my_music.wav", output / "piano_roll.png"
    assert midi_file.is_file() and midi_file.read_bytes()[:4] == b"MThd"
    assert wav_file.is_file() and _rms(wav_file) > 0.01, "the WAV is silent"
    assert roll.is_file() and roll.read_bytes()[:4] == b"\x89PNG"
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    images = sum(1 for c in notebook.cells for o in c.get("outputs", [])
                 if "image/png" in o.get("data", {}))
    assert images >= 4, "the value, diagram, history and piano-roll figures should be shown"
    audio = sum(1 for c in notebook.cells for o in c.get("outputs", [])
                if "<audio" in o.get("data", {}).get("text/html", ""))
    assert audio >= 2 + 3, "the training solo, my_music and three temperatures should play"
    print(f"notebook executed in {elapsed:.0f} s")
