"""Killed at any moment, `generate --wav` and `train` leave no partial file and no broken model.

Each run is killed with SIGKILL, which nothing can catch, by its own process at a seeded step of
the work that matters: just before the k-th rename that publishes a finished temporary file (the
most delicate moment), halfway through writing the k-th temporary file, or before the k-th
gradient step of training.  The k are distinct steps drawn by seeded generators from those an
unbroken run of the same command counts, so no test depends on the clock or on two processes
racing.  Just before it dies the process appends to a log what it was doing (the file it was
about to publish, the bytes of the temporary file written so far, the step number), and each
test asserts from that log and the exit signal that the kill landed in the middle of the work.

What must hold then: every visible output file is complete (byte for byte what an unbroken run
writes), and a model directory resumes to the model an unbroken run gives when a checkpoint of
a finished epoch was in place, and says in one line that it has nothing to resume otherwise.
"""
import json
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from jazzsolo.models.model_dir import CONFIG_FILE, WEIGHTS_FILE, load_model_dir

from conftest import CMAJ7, DM7, G7, chord_tone_melody, message_lines, write_tiny_midi

# Runs the CLI (argv[2:]) with the steps that matter counted and, at the one named by the JSON
# spec in argv[1], a SIGKILL sent by the process to itself.  Steps: "replace" (os.replace, the
# rename that publishes a file; killed before it, by number or by the target's name), "write"
# (a temporary file from tempfile.mkstemp opened with os.fdopen, as files.write_atomic writes;
# killed once half its bytes are on disk) and "step" (a gradient step of the fast training
# path).  Every published file and the kill itself are appended to the JSON-lines log first,
# with an fsync, so the test can read what the process was doing when it died; a run that
# ends records its counts instead.
HARNESS = """
import json, os, signal, sys, tempfile
spec, argv = json.loads(sys.argv[1]), sys.argv[2:]
counts = {"replace": 0, "write": 0, "step": 0}

def log(event):
    with open(spec["log"], "a") as f:
        f.write(json.dumps(event) + "\\n")
        f.flush()
        os.fsync(f.fileno())

def die(at, **detail):
    log(dict(killed=at, call=counts[at], **detail))
    os.kill(os.getpid(), signal.SIGKILL)

def doomed(at, name=None):
    if spec.get("at") != at:
        return False
    if "name" in spec:
        return name is not None and os.path.basename(name) == spec["name"]
    return counts[at] == spec["k"]

replace = os.replace
def counted_replace(src, dst, *args, **kwargs):
    counts["replace"] += 1
    target = os.path.relpath(dst)
    if doomed("replace", target):
        die("replace", target=target)
    replace(src, dst, *args, **kwargs)
    log({"put": target})
os.replace = counted_replace

class DiesHalfway:
    def __init__(self, file, name):
        self.file, self.name = file, name
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.file.__exit__(*exc)
    def __getattr__(self, attribute):
        return getattr(self.file, attribute)
    def write(self, data):
        half = len(data) // 2
        self.file.write(data[:half])
        self.file.flush()
        os.fsync(self.file.fileno())
        die("write", tmp=self.name, written=half, size=len(data))

temporary, mkstemp, fdopen, close = {}, tempfile.mkstemp, os.fdopen, os.close
def tracked_mkstemp(*args, **kwargs):
    fd, name = mkstemp(*args, **kwargs)
    temporary[fd] = os.path.relpath(name)
    return fd, name
def tracked_close(fd):
    temporary.pop(fd, None)
    close(fd)
def counted_fdopen(fd, *args, **kwargs):
    file = fdopen(fd, *args, **kwargs)
    if fd not in temporary:
        return file
    counts["write"] += 1
    name = temporary.pop(fd)
    return DiesHalfway(file, name) if doomed("write", name) else file
tempfile.mkstemp, os.fdopen, os.close = tracked_mkstemp, counted_fdopen, tracked_close

if argv[0] == "train":
    import jazzsolo.models.course_lstm as course_lstm
    make_step = course_lstm._tensorflow_train_step
    def counted_train_step(model, optimizer):
        step = make_step(model, optimizer)
        def counted_step(x, y):
            counts["step"] += 1
            if doomed("step"):
                die("step")
            return step(x, y)
        return counted_step
    course_lstm._tensorflow_train_step = counted_train_step

from jazzsolo.cli import main
try:
    code = main(argv)
finally:
    log({"finished": counts})
sys.exit(code)
"""
LOG = "harness.jsonl"
GENERATE = ["generate", "--progression", "blues", "--seed", "7", "--num_outputs", "2", "--wav",
            "--output_dir", "out"]
TRAIN = ["train", "--quiet", "--midi", "tune.mid", "--epochs", "3", "--output_dir", "model"]
PROGRESSION = [DM7, G7, CMAJ7, CMAJ7] * 4


def seeded_step(seed: int, count: int, n: int, moment: int) -> int:
    """The `moment`-th (from 0) of `n` distinct steps drawn from the `count` steps (1-based) an
    unbroken run counts, by a generator seeded with `seed`: where a kill lands."""
    return sorted(random.Random(seed).sample(range(1, count + 1), n))[moment]


def run(args, cwd: Path, **kill):
    """The CLI under the harness (killed where `kill` says: at=..., k=... or name=...);
    returns the process and the events it logged."""
    log = cwd / LOG
    log.unlink(missing_ok=True)
    spec = json.dumps(dict(kill, log=str(log)))
    process = subprocess.run([sys.executable, "-c", HARNESS, spec, *args], cwd=cwd,
                             capture_output=True, text=True, timeout=600)
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return process, events


def killed_at(process, events, at: str, k: int | None = None) -> dict:
    """Assert that the run died of SIGKILL at step `k` of kind `at`; the kill's log entry."""
    assert process.returncode == -signal.SIGKILL, \
        f"the run was never killed (exit {process.returncode}): {process.stderr[-2000:]}"
    assert not any("finished" in e for e in events)
    kill = events[-1]
    assert kill["killed"] == at and (k is None or kill["call"] == k), kill
    return kill


def published(events) -> list[str]:
    """The files the run put in place, in order, before it ended or died."""
    return [e["put"] for e in events if "put" in e]


def finished(process, events) -> dict:
    """Assert that the run ended normally; the counts of its steps."""
    assert process.returncode == 0, process.stderr
    assert "finished" in events[-1], events[-1]
    return events[-1]["finished"]


def visible_files(folder: Path) -> dict[str, bytes]:
    """The files a user sees (temporary files are hidden dot files)."""
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


# --------------------------------------------------------------------------- generate --wav

@pytest.fixture(scope="module")
def unbroken_generate(tmp_path_factory):
    """What `generate --wav` writes when nothing stops it, and the steps it counts."""
    where = tmp_path_factory.mktemp("unbroken")
    process, events = run(GENERATE, where)
    counts = finished(process, events)
    files = visible_files(where / "out")
    assert sorted(files) == ["blues_seed7.mid", "blues_seed7.wav", "blues_seed8.mid",
                             "blues_seed8.wav"]
    assert counts["replace"] == counts["write"] == 4, counts    # each file written, then put
    assert sorted(published(events)) == [f"out/{name}" for name in sorted(files)]
    return {"files": files, "counts": counts, "order": published(events)}


@pytest.mark.parametrize("moment", range(3))
def test_generate_killed_before_publishing_a_file_leaves_only_whole_files(tmp_path,
                                                                         unbroken_generate,
                                                                         moment):
    k = seeded_step(11, unbroken_generate["counts"]["replace"], 3, moment)
    process, events = run(GENERATE, tmp_path, at="replace", k=k)
    kill = killed_at(process, events, "replace", k)
    assert kill["target"] == unbroken_generate["order"][k - 1]      # about to publish that file
    assert published(events) == unbroken_generate["order"][:k - 1]
    files = visible_files(tmp_path / "out")
    assert sorted(files) == sorted(Path(p).name for p in published(events))
    assert Path(kill["target"]).name not in files                    # never put in place
    for name, data in files.items():
        assert data == unbroken_generate["files"][name], f"{name} is not the whole file"


@pytest.mark.parametrize("moment", range(2))
def test_generate_killed_halfway_through_a_file_leaves_only_whole_files(tmp_path,
                                                                       unbroken_generate,
                                                                       moment):
    k = seeded_step(12, unbroken_generate["counts"]["write"], 2, moment)
    process, events = run(GENERATE, tmp_path, at="write", k=k)
    kill = killed_at(process, events, "write", k)
    assert 0 < kill["written"] < kill["size"]
    half_written = tmp_path / kill["tmp"]
    assert half_written.name.startswith(".")                         # hidden from the user
    assert half_written.stat().st_size == kill["written"]            # died mid-write
    files = visible_files(tmp_path / "out")
    assert sorted(files) == sorted(Path(p).name for p in published(events))
    assert len(files) == k - 1                                       # each earlier file is in
    for name, data in files.items():
        assert data == unbroken_generate["files"][name], f"{name} is not the whole file"


# --------------------------------------------------------------------------- train

LAST_CHECKPOINT = "model/checkpoints/last.npz"


def write_tune(folder: Path) -> None:
    write_tiny_midi(folder / "tune.mid", chord_tone_melody(16, PROGRESSION),
                    chords=[(c, 4 * i, 4) for i, c in enumerate(PROGRESSION)])


@pytest.fixture(scope="module")
def unbroken_training(tmp_path_factory):
    """A 3-epoch run nothing stops: its folder, model, the files it put in place and its counts."""
    where = tmp_path_factory.mktemp("unbroken_training")
    write_tune(where)
    process, events = run(TRAIN, where)
    counts = finished(process, events)
    order = published(events)
    assert counts["step"] % 3 == 0 and counts["step"] > 0, counts   # the same steps each epoch
    assert order[-1] == f"model/{CONFIG_FILE}"                       # a model is complete last
    assert LAST_CHECKPOINT in order and counts["write"] > 0, counts
    return {"folder": where, "model": load_model_dir(where / "model"), "counts": counts,
            "order": order}


def model_dir_outcome(tmp_path, model="model") -> tuple[str, object]:
    """A killed training run left a model that loads, a run that resumes to one, or a run that
    says in one line that it cannot be resumed; which one, with the model."""
    directory = tmp_path / model
    if (directory / CONFIG_FILE).exists():
        return "model", load_model_dir(directory)
    resumed = subprocess.run([sys.executable, "-m", "jazzsolo.cli", "train", "--quiet",
                              "--resume", model], cwd=tmp_path, capture_output=True, text=True,
                             timeout=600)
    if resumed.returncode == 0:
        return "resumed", load_model_dir(directory)
    lines = message_lines(resumed.stderr)
    assert resumed.returncode == 2 and len(lines) == 1, resumed.stderr
    assert "nothing to resume" in lines[0] or "before its first epoch" in lines[0], lines[0]
    return "not started", None


def expected_outcome(put_in_place: list[str]) -> str:
    """What a run killed after putting these files in place must leave: a run that resumes once
    a finished epoch's checkpoint is in place, else one with nothing to resume (the model's own
    config.json is put in place last of all, so a killed run never left a finished model)."""
    assert f"model/{CONFIG_FILE}" not in put_in_place
    return "resumed" if LAST_CHECKPOINT in put_in_place else "not started"


def assert_like_unbroken(outcome, model, unbroken_training):
    """A resumed run ends with the model of the unbroken run."""
    if outcome == "resumed":
        expected = unbroken_training["model"].history["loss"]
        assert model.history["loss"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("moment", range(5))
def test_training_killed_before_publishing_a_file_leaves_a_model_that_resumes(
        tmp_path, unbroken_training, moment):
    k = seeded_step(13, unbroken_training["counts"]["replace"], 5, moment)
    write_tune(tmp_path)
    process, events = run(TRAIN, tmp_path, at="replace", k=k)
    kill = killed_at(process, events, "replace", k)
    assert kill["target"] == unbroken_training["order"][k - 1]      # about to publish that file
    assert published(events) == unbroken_training["order"][:k - 1]
    outcome, model = model_dir_outcome(tmp_path)
    assert outcome == expected_outcome(published(events)), published(events)
    assert_like_unbroken(outcome, model, unbroken_training)


@pytest.mark.parametrize("moment", range(2))
def test_training_killed_halfway_through_a_file_leaves_a_model_that_resumes(
        tmp_path, unbroken_training, moment):
    k = seeded_step(14, unbroken_training["counts"]["write"], 2, moment)
    write_tune(tmp_path)
    process, events = run(TRAIN, tmp_path, at="write", k=k)
    kill = killed_at(process, events, "write", k)
    assert 0 < kill["written"] < kill["size"]
    assert (tmp_path / kill["tmp"]).stat().st_size == kill["written"]   # died mid-write
    outcome, model = model_dir_outcome(tmp_path)
    assert outcome == expected_outcome(published(events)), published(events)
    assert_like_unbroken(outcome, model, unbroken_training)


@pytest.mark.parametrize("epoch", [1, 3])
def test_training_killed_mid_epoch_leaves_a_model_that_resumes(tmp_path, unbroken_training,
                                                               epoch):
    per_epoch = unbroken_training["counts"]["step"] // 3
    k = (epoch - 1) * per_epoch + random.Random(15 + epoch).randint(1, per_epoch)  # in `epoch`
    write_tune(tmp_path)
    process, events = run(TRAIN, tmp_path, at="step", k=k)
    killed_at(process, events, "step", k)
    epochs_done = epoch - 1
    # still training: the checkpoints of the finished epochs only, none of the model's files
    put = published(events)
    assert put.count(LAST_CHECKPOINT) == epochs_done
    assert all(p.startswith("model/checkpoints/") for p in put), put
    outcome, model = model_dir_outcome(tmp_path)
    assert outcome == ("resumed" if epochs_done else "not started")
    assert_like_unbroken(outcome, model, unbroken_training)


def test_retraining_killed_while_saving_never_leaves_a_mixed_model(tmp_path, unbroken_training):
    shutil.copytree(unbroken_training["folder"], tmp_path, dirs_exist_ok=True)
    # Retrain over it, killed as the new model's weights are about to replace the old ones.
    process, events = run(TRAIN + ["--overwrite", "--seed", "3"], tmp_path, at="replace",
                          name=WEIGHTS_FILE)
    kill = killed_at(process, events, "replace")
    assert kill["target"] == f"model/{WEIGHTS_FILE}"
    assert not (tmp_path / "model" / CONFIG_FILE).exists()      # the old model is gone as one
    outcome, model = model_dir_outcome(tmp_path)
    assert outcome == "resumed"
    assert len(model.history["loss"]) == 3
    assert model.history["loss"] != unbroken_training["model"].history["loss"]   # seed 3's run
